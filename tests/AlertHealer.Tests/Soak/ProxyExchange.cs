using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

public enum ProxyFault
{
    None,
    // Answered 5xx/429 with a Status body; never reaches the API server.
    Error,
    // Reaches the API server, which acts; the answer is lost (connection reset).
    LoseAnswer,
    // Reaches the API server, which acts; the answer is held past the client's call timeout, then reset.
    Stall,
    // Reaches the API server; answered late but within the call timeout.
    Slow,
    // A watch that streams for a while and is then cut.
    DropWatch,
}

public enum ProxyStage
{
    // Parsed, before anything is forwarded.
    Received,
    // The API server answered (it has acted); the client has not been answered yet.
    UpstreamAnswered,
    // The client was sent the answer.
    Answered,
}

// One Kubernetes API request as the proxy handled it.
public sealed class ProxyExchange(long id, DateTimeOffset received, RecordedRequest request, ProxyFault fault)
{
    public long Id { get; } = id;
    public DateTimeOffset Received { get; } = received;
    public RecordedRequest Request { get; } = request;
    public ProxyFault Fault { get; } = fault;
    // Which replica sent it: the index of the proxy listener it came in on.
    public int Replica { get; init; }
    public int? InjectedStatus { get; set; }
    public int? UpstreamStatus { get; set; }
    public string? UpstreamBody { get; set; }
    public DateTimeOffset? UpstreamAt { get; set; }
    // What the client got: "answered 200", "reset", ...
    public string Outcome { get; set; } = "pending";
    // True when the client read the whole answer.
    public bool Delivered { get; set; }

    public bool IsPodDelete => Request is { Verb: "delete", Resource: "pods", ApiGroup: "" };

    public bool IsSuccessfulDelete => IsPodDelete && UpstreamStatus == 200;

    // The UID precondition the client sent with a DELETE, if any.
    public string? PreconditionUid => Request.Body.Length == 0 ? null : TryParse(Request.Body)?["preconditions"]?["uid"]?.GetValue<string>();

    public string Describe()
    {
        var what = $"{Request.Method} {Request.Path}{Request.Query}";
        if (IsPodDelete) what += $" (uid precondition {PreconditionUid ?? "NONE"})";
        var upstream = UpstreamStatus is { } s ? $"API server {s}" : "not forwarded";
        return $"#{Id}{(Replica == 0 ? "" : $" [replica {(char)('a' + Replica)}]")} {what} fault={Fault}{(InjectedStatus is { } i ? $" {i}" : "")}; {upstream}; client: {Outcome}";
    }

    private static JsonNode? TryParse(string json)
    {
        try { return JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
