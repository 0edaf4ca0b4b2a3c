using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// events.k8s.io/v1 Events: create (validated like the API server does for this version), get and list.
/// Field paths in errors are the internal ones the real server reports (involvedObject, message, source, ...).
/// </summary>
internal sealed class EventStore(ResourceVersionClock clock, TimeProvider time)
{
    private const string Group = "events.k8s.io";
    private const int ReportingInstanceLimit = 128;
    private const int ActionLimit = 128;
    private const int ReasonLimit = 128;
    private const int NoteLimit = 1024;
    private readonly Lock gate = new();
    private readonly Dictionary<(string Ns, string Name), Eventsv1Event> events = [];

    /// <summary>The stored events of <paramref name="ns"/> ("" for all), oldest first.</summary>
    public IReadOnlyList<Eventsv1Event> All(string ns)
    {
        lock (gate)
        {
            return [.. events.Values
                .Where(e => ns.Length == 0 || e.Metadata.NamespaceProperty == ns)
                .OrderBy(e => long.Parse(e.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture))
                .Select(ResourceVersionClock.Copy)];
        }
    }

    public ApiResponse Read(string ns, string name)
    {
        lock (gate)
        {
            return events.TryGetValue((ns, name), out var stored)
                ? ApiResponse.Ok(ResourceVersionClock.Copy(stored))
                : KubernetesStatus.NotFound(Group, "events", name);
        }
    }

    public ApiResponse List(string ns) => ApiResponse.Ok(new Eventsv1EventList
    {
        ApiVersion = "events.k8s.io/v1",
        Kind = "EventList",
        Metadata = new V1ListMeta { ResourceVersion = clock.Current.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Items = [.. All(ns).Select(e => e with { ApiVersion = null, Kind = null })],
    });

    public ApiResponse Create(string ns, Eventsv1Event e)
    {
        e.Metadata ??= new V1ObjectMeta();
        if (e.Metadata.NamespaceProperty is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            return KubernetesStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (string.IsNullOrEmpty(e.Metadata.Name) && !string.IsNullOrEmpty(e.Metadata.GenerateName))
        {
            e.Metadata.Name = e.Metadata.GenerateName + Guid.NewGuid().ToString("N")[..5];
        }

        var name = e.Metadata.Name ?? "";
        var errors = Validate(ns, e);
        if (errors.Count > 0)
        {
            return KubernetesStatus.Invalid("Event", Group, name, errors);
        }

        lock (gate)
        {
            if (events.ContainsKey((ns, name)))
            {
                return KubernetesStatus.AlreadyExists(Group, "events", name);
            }

            var stored = ResourceVersionClock.Copy(e);
            stored.ApiVersion = "events.k8s.io/v1";
            stored.Kind = "Event";
            stored.Metadata.NamespaceProperty = ns;
            stored.Metadata.Uid = Guid.NewGuid().ToString();
            stored.Metadata.CreationTimestamp = time.GetUtcNow().UtcDateTime;
            stored.Metadata.ResourceVersion = clock.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            events[(ns, name)] = stored;
            return ApiResponse.Created(ResourceVersionClock.Copy(stored));
        }
    }

    /// <summary>ValidateEventCreate for events.k8s.io/v1: the legacy rules, then the strict ones, in the server's order.</summary>
    private static List<FieldError> Validate(string ns, Eventsv1Event e)
    {
        var errors = new List<FieldError>();
        var regardingNs = e.Regarding?.NamespaceProperty ?? "";
        if (e.EventTime is null)
        {
            if (regardingNs.Length == 0 ? ns is not ("" or "default") : regardingNs != ns)
            {
                errors.Add(FieldError.Invalid("involvedObject.namespace", regardingNs, "does not match event.namespace"));
            }
        }
        else
        {
            if (regardingNs.Length == 0 && ns is not ("default" or "kube-system"))
            {
                errors.Add(FieldError.Invalid("involvedObject.namespace", regardingNs, "does not match event.namespace"));
            }

            var controller = e.ReportingController ?? "";
            if (controller.Length == 0)
            {
                errors.Add(FieldError.Required("reportingController"));
            }

            errors.AddRange(FieldError.QualifiedName(controller).Select(m => FieldError.Invalid("reportingController", controller, m)));
            Limited(errors, "reportingInstance", e.ReportingInstance, ReportingInstanceLimit, required: true);
            Limited(errors, "action", e.Action, ActionLimit, required: true);
            Limited(errors, "reason", e.Reason, ReasonLimit, required: true);
            Limited(errors, "message", e.Note, NoteLimit, required: false);
        }

        errors.AddRange(FieldError.Dns1123Subdomain(ns).Select(m => FieldError.Invalid("namespace", ns, m)));

        var name = e.Metadata.Name ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            errors.AddRange(FieldError.Dns1123Subdomain(name).Select(m => FieldError.Invalid("metadata.name", name, m)));
        }

        if (e.Series is { } series)
        {
            if (series.Count < 2)
            {
                errors.Add(FieldError.Invalid("series.count", "", "should be at least 2"));
            }

            if (series.LastObservedTime == default)
            {
                errors.Add(FieldError.Required("series.lastObservedTime"));
            }
        }

        if (e.EventTime is null)
        {
            errors.Add(FieldError.Required("eventTime"));
        }

        if (e.Type is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.Invalid("type", "", $"has invalid value: {e.Type}"));
        }

        if (e.DeprecatedFirstTimestamp is not null)
        {
            errors.Add(FieldError.Invalid("firstTimestamp", "", "needs to be unset"));
        }

        if (e.DeprecatedLastTimestamp is not null)
        {
            errors.Add(FieldError.Invalid("lastTimestamp", "", "needs to be unset"));
        }

        if (e.DeprecatedCount is not (null or 0))
        {
            errors.Add(FieldError.Invalid("count", "", "needs to be unset"));
        }

        if (!string.IsNullOrEmpty(e.DeprecatedSource?.Component) || !string.IsNullOrEmpty(e.DeprecatedSource?.Host))
        {
            errors.Add(FieldError.Invalid("source", "", "needs to be unset"));
        }

        return errors;
    }

    private static void Limited(List<FieldError> errors, string field, string? value, int limit, bool required)
    {
        if (required && string.IsNullOrEmpty(value))
        {
            errors.Add(FieldError.Required(field));
        }

        if (value?.Length > limit)
        {
            errors.Add(FieldError.Invalid(field, "", $"can have at most {limit} characters"));
        }
    }
}
