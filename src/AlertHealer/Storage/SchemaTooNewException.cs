namespace AlertHealer.Storage;

// The store was migrated by a later build: this build does not know its schema and must not write
// to it. One line that names both versions and what to do (StartupRefusal prints it as it is).
public sealed class SchemaTooNewException(string store, int found, int known) : Exception(
    $"the {store} store has schema version {found}, newer than version {known} that AlertHealer {Release.BuildInfo.Version} knows: " +
    "it was migrated by a later AlertHealer. Run that release (or a later one) again, or restore the backup taken before the upgrade; this build will not write to it.")
{
    public int Found { get; } = found;
    public int Known { get; } = known;
}
