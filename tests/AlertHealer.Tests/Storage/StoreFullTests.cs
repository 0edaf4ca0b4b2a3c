using System.Diagnostics;
using System.Net;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Storage;

// The audit store on a tiny filesystem that fills up: the webhook refuses with 503 (Alertmanager
// retries), readiness fails, nothing is half-written, and it recovers by itself when space returns.
public sealed class StoreFullTests
{
    [Fact]
    public async Task FullDiskAnswers503AndRecoversWhenSpaceReturns()
    {
        await using var disk = await TinyDisk.MountAsync("4m");
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Store:BusyTimeout"] = "00:00:01", directory: disk.Path)).WithCalicoSystem();
        var filler = disk.Fill();

        using var refused = await app.PostWebhookAsync(Fixtures.Firing);
        using var notReady = await app.Anonymous.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");

        File.Delete(filler);
        using var accepted = await app.PostWebhookAsync(Fixtures.Firing);
        using var ready = await app.Anonymous.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
    }

    // Found by the fault soak: with the disk full the worker retried at once, hundreds of times a
    // second, because items were due. It backs off instead, and recovers when space returns.
    [Fact]
    public async Task WorkerBacksOffWhileTheDiskIsFullAndDecidesWhenSpaceReturns()
    {
        await using var disk = await TinyDisk.MountAsync("4m");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using var kube = await AlertHealer.Tests.Infrastructure.Kubernetes.FakeKubernetesApi.StartAsync(time);
        await using (var stopped = (await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", disk.Path, kube, time)).WithCalicoSystem())
        {
            using var stored = await stopped.PostWebhookAsync(Fixtures.Firing);
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        var filler = disk.Fill();
        var logs = new CapturedLogs();

        await using var app = await TestApp.StartAsync(directory: disk.Path, kube: kube, time: time, logs: logs);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var failures = logs.Lines.Count(l => l.Contains("Inbox worker failed", StringComparison.Ordinal));
        Assert.InRange(failures, 1, 3);
        Assert.DoesNotContain(kube.Requests, r => r.Verb == "delete");

        File.Delete(filler);
        await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 20, "restarted once space returned");
        Assert.Single(kube.Deletes());
    }

    // A tmpfs of a fixed size (the suite runs as root, as CI does).
    private sealed class TinyDisk : IAsyncDisposable
    {
        private TinyDisk(string path) => Path = path;

        public string Path { get; }

        public static async Task<TinyDisk> MountAsync(string size)
        {
            var path = Directory.CreateTempSubdirectory("alerthealer-tiny-disk-").FullName;
            var (code, output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
            Assert.True(code == 0, $"mounting a {size} tmpfs at {path} failed (the tests need root): {output}");
            return new TinyDisk(path);
        }

        // Takes every free byte; returns the file to delete to give the space back.
        public string Fill()
        {
            var filler = System.IO.Path.Combine(Path, "filler");
            // Unbuffered, so the write that finds the disk full throws here and not at dispose.
            using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
            var block = new byte[64 * 1024];
            try
            {
                while (true) stream.Write(block);
            }
            catch (IOException)
            {
                // No space left on device: what we wanted.
            }
            return filler;
        }

        public async ValueTask DisposeAsync()
        {
            await RunAsync("umount", "-l", Path);
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
        }

        private static async Task<(int, string)> RunAsync(string file, params string[] args)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
    }
}
