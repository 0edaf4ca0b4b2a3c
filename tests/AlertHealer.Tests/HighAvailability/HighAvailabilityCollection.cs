namespace AlertHealer.Tests.HighAvailability;

// One at a time: each test runs several AlertHealer processes and measures real time, which a
// second pair competing for the same two cores would distort.
[CollectionDefinition(Name)]
public sealed class HighAvailabilityCollection
{
    public const string Name = "High availability";
}
