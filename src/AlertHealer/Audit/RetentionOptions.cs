namespace AlertHealer.Audit;

public sealed class RetentionOptions
{
    public const string Section = "AlertHealer:Store";

    // Audit entries (and the incidents they decided) older than this are deleted.
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    // Finished inbox items are kept this long for troubleshooting; an incident's re-sends are
    // recognised by its audit entry, not by the item.
    public TimeSpan InboxKeepDone { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    // Rows per transaction, so pruning never holds the write lock for long.
    public int PruneBatch { get; set; } = 500;
}
