using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Audit;

public sealed class AuditQueryTests
{
    // Five decisions of different kinds, one minute apart.
    private static async Task<TestApp> SeededAsync()
    {
        var app = (await TestApp.StartAsync(s => s["AlertHealer:DryRun"] = "true")).WithCalicoSystem();
        await app.PostWebhookAsync(Fixtures.NewIncident("aaaaaaaaaaaaaaa1"));
        await app.WaitForCountAsync(_ => true, 1, "first");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.PostWebhookAsync(Fixtures.Edit(a => { a["fingerprint"] = "bbbbbbbbbbbbbbb2"; a["labels"]!["alertname"] = "Other"; }));
        await app.WaitForCountAsync(_ => true, 2, "second");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.PostWebhookAsync(Fixtures.Resolved);
        await app.WaitForCountAsync(_ => true, 3, "third");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        (await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "first manual" })).EnsureSuccessStatusCode();
        app.Time.Advance(TimeSpan.FromMinutes(1));
        (await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "second manual" })).EnsureSuccessStatusCode();
        return app;
    }

    [Fact]
    public async Task EntriesComeNewestFirst()
    {
        await using var app = await SeededAsync();

        var page = await app.AuditAsync();

        Assert.Equal(5, page.Items.Count);
        Assert.Equal(page.Items.OrderByDescending(e => e.Time).Select(e => e.Id), page.Items.Select(e => e.Id));
        Assert.Equal("second manual", page.Items[0].Reason);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [InlineData("?trigger=manual", new[] { "second manual", "first manual" })]
    [InlineData("?trigger=webhook&outcome=dry-run", new[] { "aaaaaaaaaaaaaaa1" })]
    [InlineData("?outcome=ignored-no-policy", new[] { "bbbbbbbbbbbbbbb2" })]
    [InlineData("?alertname=WhiskerBackendWedged", new[] { "fdf329a875a40fd2", "aaaaaaaaaaaaaaa1" })]
    [InlineData("?fingerprint=fdf329a875a40fd2", new[] { "fdf329a875a40fd2" })]
    [InlineData("?policy=whisker&trigger=webhook", new[] { "fdf329a875a40fd2", "aaaaaaaaaaaaaaa1" })]
    [InlineData("?since=2026-11-28T13:01:00Z&until=2026-11-28T13:03:00Z", new[] { "fdf329a875a40fd2", "bbbbbbbbbbbbbbb2" })]
    [InlineData("?since=2026-11-28T13:03:30Z", new[] { "second manual" })]
    public async Task FiltersReturnExactlyTheMatchingEntries(string query, string[] expected)
    {
        await using var app = await SeededAsync();

        var page = await app.AuditAsync(query);

        Assert.Equal(expected, page.Items.Select(e => e.Alert?.Fingerprint ?? e.Reason));
    }

    [Fact]
    public async Task PagingWithACursorVisitsEveryEntryOnce()
    {
        await using var app = await SeededAsync();
        var all = (await app.AuditAsync()).Items.Select(e => e.Id).ToList();

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await app.AuditAsync("?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(all, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task OneEntryIsFoundByIdAndAMissingOneIs404()
    {
        await using var app = await SeededAsync();
        var newest = (await app.AuditAsync()).Items[0];

        var found = await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{newest.Id}", Json.Options);
        using var missing = await app.Reader.GetAsync("/audit/999999");

        Assert.Equal(newest.Reason, found!.Reason);
        Assert.Equal(Triggers.Manual, found.Trigger);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=501", "limit")]
    [InlineData("?cursor=garbage", "cursor")]
    [InlineData("?outcome=exploded", "outcome")]
    [InlineData("?trigger=cron", "trigger")]
    [InlineData("?since=2026-11-28T14:00:00Z&until=2026-11-28T13:00:00Z", "since")]
    public async Task BadQueriesAre400NamingTheParameter(string query, string parameter)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Reader.GetAsync("/audit" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{parameter}\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EntriesSurviveARestartOnTheSameFile()
    {
        long id;
        string directory;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using (var first = (await TestApp.StartAsync(time: time)).WithCalicoSystem())
        {
            await first.PostWebhookAsync(Fixtures.Firing);
            id = (await first.WaitForOutcomeAsync(Outcomes.Restarted)).Id;
            directory = first.Directory;
        }

        await using var second = await TestApp.StartAsync(directory: directory, time: time);
        var entry = await second.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{id}", Json.Options);

        Assert.Equal(Outcomes.Restarted, entry!.Outcome);
        Assert.Equal("fdf329a875a40fd2", entry.Alert!.Fingerprint);
    }
}
