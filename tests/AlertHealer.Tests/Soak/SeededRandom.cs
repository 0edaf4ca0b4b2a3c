namespace AlertHealer.Tests.Soak;

// System.Random with a seed, shared by the driver's tasks (hence the lock).
public sealed class SeededRandom(int seed)
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);

    public int Next(int maxExclusive)
    {
        lock (_gate) return _random.Next(maxExclusive);
    }

    public bool Chance(double p)
    {
        lock (_gate) return _random.NextDouble() < p;
    }

    public TimeSpan Between(TimeSpan min, TimeSpan max)
    {
        lock (_gate) return min + (max - min) * _random.NextDouble();
    }

    public TimeSpan Millis(int min, int max) => Between(TimeSpan.FromMilliseconds(min), TimeSpan.FromMilliseconds(max));

    public string Hex(int length)
    {
        var bytes = new byte[(length + 1) / 2];
        lock (_gate) _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }
}
