using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>coordination.k8s.io/v1 Leases with resourceVersion optimistic concurrency.</summary>
internal sealed class LeaseStore(ResourceVersionClock clock, TimeProvider time)
{
    private const string Group = "coordination.k8s.io";
    private readonly Lock gate = new();
    private readonly SortedDictionary<(string Ns, string Name), V1Lease> leases = new();

    public V1Lease? Get(string ns, string name)
    {
        lock (gate)
        {
            return leases.TryGetValue((ns, name), out var lease) ? ResourceVersionClock.Copy(lease) : null;
        }
    }

    public ApiResponse Read(string ns, string name) =>
        Get(ns, name) is { } lease ? ApiResponse.Ok(lease) : KubernetesStatus.NotFound(Group, "leases", name);

    public ApiResponse List(string ns)
    {
        lock (gate)
        {
            var items = leases.Values.Where(l => ns.Length == 0 || l.Metadata.NamespaceProperty == ns)
                .Select(l => ResourceVersionClock.Copy(l) with { ApiVersion = null, Kind = null }).ToList();
            return ApiResponse.Ok(new V1LeaseList
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "LeaseList",
                Metadata = new V1ListMeta { ResourceVersion = clock.Current.ToString() },
                Items = items,
            });
        }
    }

    public ApiResponse Create(string ns, V1Lease lease)
    {
        if (Validate(ns, lease) is { } invalid)
        {
            return invalid;
        }

        lock (gate)
        {
            return leases.ContainsKey((ns, lease.Metadata.Name))
                ? KubernetesStatus.AlreadyExists(Group, "leases", lease.Metadata.Name)
                : ApiResponse.Created(Store(ns, lease, previous: null));
        }
    }

    public ApiResponse Replace(string ns, string name, V1Lease lease)
    {
        if (Validate(ns, lease) is { } invalid)
        {
            return invalid;
        }

        if (lease.Metadata.Name != name)
        {
            return KubernetesStatus.BadRequest($"the name of the object ({lease.Metadata.Name}) does not match the name on the URL ({name})");
        }

        lock (gate)
        {
            if (!leases.TryGetValue((ns, name), out var current))
            {
                return ApiResponse.Created(Store(ns, lease, previous: null));
            }

            if (string.IsNullOrEmpty(lease.Metadata.ResourceVersion))
            {
                return KubernetesStatus.Invalid("Lease", Group, name, "metadata.resourceVersion", "FieldValueInvalid",
                    "Invalid value: 0x0: must be specified for an update");
            }

            return lease.Metadata.ResourceVersion != current.Metadata.ResourceVersion
                ? KubernetesStatus.Conflict(Group, "leases", name, "the object has been modified; please apply your changes to the latest version and try again")
                : ApiResponse.Ok(Store(ns, lease, current));
        }
    }

    private static ApiResponse? Validate(string ns, V1Lease? lease)
    {
        if (lease?.Metadata is null || string.IsNullOrEmpty(lease.Metadata.Name))
        {
            return KubernetesStatus.Invalid("Lease", Group, "", "metadata.name", "FieldValueRequired",
                "Required value: name or generateName is required");
        }

        return lease.Metadata.NamespaceProperty is { Length: > 0 } bodyNs && bodyNs != ns
            ? KubernetesStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
            : null;
    }

    private V1Lease Store(string ns, V1Lease lease, V1Lease? previous)
    {
        var stored = ResourceVersionClock.Copy(lease);
        stored.ApiVersion = "coordination.k8s.io/v1";
        stored.Kind = "Lease";
        stored.Metadata.NamespaceProperty = ns;
        stored.Metadata.Uid = previous?.Metadata.Uid ?? Guid.NewGuid().ToString();
        stored.Metadata.CreationTimestamp = previous?.Metadata.CreationTimestamp ?? time.GetUtcNow().UtcDateTime;
        stored.Metadata.ResourceVersion = clock.Next().ToString();
        leases[(ns, stored.Metadata.Name)] = stored;
        return ResourceVersionClock.Copy(stored);
    }
}
