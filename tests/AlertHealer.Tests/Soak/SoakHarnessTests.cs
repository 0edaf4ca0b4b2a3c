using System.Net;
using System.Net.Sockets;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Soak;

// The soak's own machinery: a hung run fails with its state, a failed start is retried (the
// 30-minute run with seed 11 stopped restarting the service at generation 40), and the relays
// that partition a replica do what they say.
public sealed class SoakHarnessTests
{
    [Fact]
    public async Task HungRunFailsWithItsStateOncePastItsLimit()
    {
        var time = new FakeTimeProvider();
        var hung = new TaskCompletionSource<int>();
        var watchdog = new SoakWatchdog(TimeSpan.FromMinutes(5), () => null, () => "seed 11, generation 40, 3 deliveries open", time);

        var guarded = watchdog.GuardAsync(hung.Task);
        time.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(50);
        Assert.False(guarded.IsCompleted);
        for (var i = 0; i < 2 && !guarded.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1.5));
            await Task.Delay(50);
        }

        var failure = await Assert.ThrowsAsync<SoakHungException>(() => guarded);
        Assert.Contains("longer than its limit of 300s", failure.Message);
        Assert.Contains("seed 11, generation 40, 3 deliveries open", failure.Message);
    }

    [Fact]
    public async Task StuckProbeFailsTheRunBeforeItsLimit()
    {
        var time = new FakeTimeProvider();
        var down = false;
        var watchdog = new SoakWatchdog(TimeSpan.FromHours(1), () => down ? "service down for 61s since generation 40" : null, () => "state", time);

        var guarded = watchdog.GuardAsync(new TaskCompletionSource<int>().Task);
        time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(50);
        Assert.False(guarded.IsCompleted);
        down = true;
        time.Advance(TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<SoakHungException>(() => guarded.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("service down for 61s since generation 40", failure.Message);
    }

    [Fact]
    public async Task FinishedRunPassesTheWatchdogUntouched()
    {
        var watchdog = new SoakWatchdog(TimeSpan.FromMinutes(1), () => "never asked", () => "state", new FakeTimeProvider());

        Assert.Equal(42, await watchdog.GuardAsync(Task.FromResult(42)));
    }

    // The start fails while the store cannot be created (a file stands where its directory goes);
    // the restart keeps trying, and the service runs once the way is clear.
    [Fact]
    public async Task RestartKeepsTryingUntilTheServiceStarts()
    {
        var root = Directory.CreateTempSubdirectory("alerthealer-restart-").FullName;
        try
        {
            var storeDirectory = Path.Combine(root, "store");
            await File.WriteAllTextAsync(storeDirectory, "");
            var environment = AppProcess.Settings(storeDirectory);
            var log = new SoakLog();
            await using var service = new SoakService(environment, log, Path.Combine(root, "service.status"));

            var restart = service.RestartAsync();
            await WaitForAsync(() => log.Snapshot().Any(e => e.Text.StartsWith("start failed (attempt 1)", StringComparison.Ordinal)), TimeSpan.FromSeconds(90));
            Assert.False(service.Running);
            Assert.NotNull(service.DownFor);
            File.Delete(storeDirectory);
            await restart.WaitAsync(TimeSpan.FromSeconds(120));

            Assert.True(service.Running);
            Assert.Null(service.DownFor);
            using var http = new HttpClient { BaseAddress = service.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            Assert.Contains(log.Snapshot(), e => e.Text.StartsWith($"service generation {service.Generation} started: pid {service.Pid}", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task HeldRelayPassesNothingUntilHealed()
    {
        await using var echo = new Echo();
        await using var relay = new TcpProxy(echo.Port);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, relay.Port);
        var stream = client.GetStream();
        Assert.Equal("one", await echo.RoundTripAsync(stream, "one"));

        relay.Fault = TcpFault.Held;
        await stream.WriteAsync("two"u8.ToArray());
        var answer = ReadAsync(stream, 3);
        await Task.Delay(300);
        Assert.False(answer.IsCompleted);
        Assert.Single(echo.Received);
        relay.Fault = TcpFault.None;

        Assert.Equal("two", await answer.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task HeldAnswersReachTheServerButNotTheClient()
    {
        await using var echo = new Echo();
        await using var relay = new TcpProxy(echo.Port);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, relay.Port);
        var stream = client.GetStream();
        Assert.Equal("one", await echo.RoundTripAsync(stream, "one"));

        relay.Fault = TcpFault.AnswersHeld;
        await stream.WriteAsync("two"u8.ToArray());
        var answer = ReadAsync(stream, 3);
        await WaitForAsync(() => echo.Received.Count == 2, TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        Assert.False(answer.IsCompleted);
        relay.CutAll();

        await Assert.ThrowsAnyAsync<Exception>(() => answer.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(["one", "two"], echo.Received);
    }

    [Fact]
    public async Task RefusedConnectionLeavesTheRelayAccepting()
    {
        var port = Echo.FreePort();
        await using var relay = new TcpProxy(port);
        using (var refused = new TcpClient())
        {
            await refused.ConnectAsync(IPAddress.Loopback, relay.Port);
            Assert.Equal(0, await refused.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsFaulted ? 0 : t.Result));
        }

        await using var echo = new Echo(port);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, relay.Port);
        Assert.Equal("back", await echo.RoundTripAsync(client.GetStream(), "back"));
    }

    private static async Task<string> ReadAsync(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!condition()) await Task.Delay(50, timeout.Token);
    }

    // Answers every chunk it reads with the same bytes, and remembers what it read.
    private sealed class Echo : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _serving;
        private readonly List<string> _received = [];

        public Echo(int port = 0)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<string> Received
        {
            get { lock (_received) return [.. _received]; }
        }

        public static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        public async Task<string> RoundTripAsync(NetworkStream stream, string text)
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
            return await ReadAsync(stream, text.Length).WaitAsync(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    _ = Task.Run(async () =>
                    {
                        var buffer = new byte[1024];
                        try
                        {
                            int read;
                            while ((read = await socket.ReceiveAsync(buffer)) > 0)
                            {
                                lock (_received) _received.Add(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                                await socket.SendAsync(buffer.AsMemory(0, read));
                            }
                        }
                        catch (SocketException) { }
                        socket.Dispose();
                    });
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }
}
