using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// Chances of each fault, per request.
public sealed record FaultRates(double Error, double LoseAnswer, double Stall, double Slow);

// Which fault the proxy applies to each request, drawn from one seeded generator in arrival
// order. Deletes get their own (higher) rates: the ambiguous delete is what the soak is about.
public sealed class FaultPlan(int seed, TimeSpan callTimeout)
{
    private static readonly int[] ErrorCodes = [500, 503, 503, 504, 429];
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);

    private volatile bool _enabled = true;

    // Off: every request passes untouched (the settle phase).
    public bool Enabled { get => _enabled; set => _enabled = value; }

    public FaultRates Reads { get; init; } = new(Error: 0.04, LoseAnswer: 0.03, Stall: 0.015, Slow: 0.06);
    public FaultRates Writes { get; init; } = new(Error: 0.05, LoseAnswer: 0.05, Stall: 0.02, Slow: 0.06);
    public FaultRates Deletes { get; init; } = new(Error: 0.10, LoseAnswer: 0.22, Stall: 0.15, Slow: 0.08);
    public double DropWatch { get; init; } = 0.35;

    // Past the client's timeout, so it gives up while the server has acted.
    public TimeSpan StallFor { get; } = callTimeout + TimeSpan.FromSeconds(1);

    public (ProxyFault Fault, int Status, TimeSpan Delay) Choose(RecordedRequest request)
    {
        lock (_gate)
        {
            // Always draw the same numbers, so the sequence does not depend on Enabled.
            var (a, b, c) = (_random.NextDouble(), _random.NextDouble(), _random.NextDouble());
            if (!Enabled) return (ProxyFault.None, 0, TimeSpan.Zero);
            var status = ErrorCodes[(int)(b * ErrorCodes.Length)];
            if (request.Verb == "watch")
            {
                if (a < 0.05) return (ProxyFault.Error, status, TimeSpan.Zero);
                return a < 0.05 + DropWatch ? (ProxyFault.DropWatch, 0, TimeSpan.FromMilliseconds(200 + c * 2800)) : (ProxyFault.None, 0, TimeSpan.Zero);
            }
            var rates = request.Verb == "delete" ? Deletes : request.Verb is "create" or "update" ? Writes : Reads;
            var edge = rates.Error;
            if (a < edge) return (ProxyFault.Error, status, TimeSpan.Zero);
            if (a < (edge += rates.LoseAnswer)) return (ProxyFault.LoseAnswer, 0, TimeSpan.Zero);
            if (a < (edge += rates.Stall)) return (ProxyFault.Stall, 0, StallFor);
            if (a < edge + rates.Slow) return (ProxyFault.Slow, 0, TimeSpan.FromMilliseconds(100 + c * (callTimeout.TotalMilliseconds * 0.6)));
            return (ProxyFault.None, 0, TimeSpan.Zero);
        }
    }
}
