using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Auth;

public sealed class TokenTests
{
    [Fact]
    public async Task RotatedTokenFileTakesEffectWithoutARestart()
    {
        var secrets = Directory.CreateTempSubdirectory("alerthealer-secrets-").FullName;
        var file = Path.Combine(secrets, "webhook-token");
        await File.WriteAllTextAsync(file, "first-webhook-token-0123456789\n");
        await using var app = (await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Auth:WebhookToken"] = null;
            s["AlertHealer:Auth:WebhookTokenFile"] = file;
        })).WithCalicoSystem();

        using var before = await app.PostWebhookAsync(Fixtures.Resolved, app.Client("first-webhook-token-0123456789"));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // A Secret update swaps the file's content.
        await File.WriteAllTextAsync(file, "second-webhook-token-0123456789\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        app.Time.Advance(TimeSpan.FromSeconds(3));

        using var oldToken = await app.PostWebhookAsync(Fixtures.Resolved, app.Client("first-webhook-token-0123456789"));
        using var newToken = await app.PostWebhookAsync(Fixtures.Resolved, app.Client("second-webhook-token-0123456789"));
        Assert.Equal(HttpStatusCode.Unauthorized, oldToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newToken.StatusCode);
    }

    [Fact]
    public async Task ManualActionRecordsTheRoleAndTheTokenName()
    {
        var secrets = Directory.CreateTempSubdirectory("alerthealer-secrets-").FullName;
        await File.WriteAllTextAsync(Path.Combine(secrets, "operator-token"), "operator-from-file-0123456789");
        await using var app = (await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Auth:OperatorToken"] = null;
            s["AlertHealer:Auth:OperatorTokenFile"] = Path.Combine(secrets, "operator-token");
        })).WithCalicoSystem();

        using var response = await app.Client("operator-from-file-0123456789").PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "by hand", dryRun = true });
        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;

        var entry = (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{decision.AuditId}", Json.Options))!;
        Assert.Equal(new Actor("operator", "operator-token"), entry.Actor);
    }

    [Fact]
    public async Task NoTokenEverAppearsInTheLogs()
    {
        var logs = new CapturedLogs();
        await using (var app = (await TestApp.StartAsync(logs: logs)).WithCalicoSystem())
        {
            await app.PostWebhookAsync(Fixtures.Firing);
            await app.WaitForOutcomeAsync(Outcomes.Restarted);
            await app.PostWebhookAsync(Fixtures.Firing, app.Client("a-wrong-token-that-must-not-be-logged"));
            await app.PostWebhookAsync(Fixtures.Firing, app.Reader);
            (await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "x", dryRun = true })).EnsureSuccessStatusCode();
            (await app.Reader.GetAsync("/audit")).EnsureSuccessStatusCode();
            await app.Anonymous.GetAsync("/audit");
        }

        var output = string.Join("\n", logs.Lines);
        Assert.Contains("restarted", output);
        foreach (var token in new[] { TestApp.WebhookToken, TestApp.OperatorToken, TestApp.ReaderToken, "a-wrong-token-that-must-not-be-logged" })
        {
            Assert.DoesNotContain(token, output);
        }
    }
}
