using AlertHealer.Kubernetes;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Inbox;

// This replica's claims on inbox items: who it is (AlertHealer:Kubernetes:Identity), and a
// renewal while it works on an item, so another replica takes the item only if this one died.
public sealed class InboxClaims(IInboxStore inbox, IOptions<InboxOptions> options, IOptions<KubernetesOptions> identity, TimeProvider time, ILogger<InboxClaims> logger)
{
    private readonly IInboxStore _inbox = inbox;
    private readonly TimeSpan _duration = options.Value.ClaimDuration;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _inHand = new();

    public string Holder { get; } = identity.Value.Identity;

    // The items this process is working on (the worker's, and manual requests being decided).
    public IReadOnlyCollection<long> InHand => [.. _inHand.Keys];

    public InboxClaim Now()
    {
        var now = _time.GetUtcNow();
        return new InboxClaim(Holder, now, now + _duration);
    }

    // Renews the claim every third of ClaimDuration until disposed.
    public IAsyncDisposable Keep(InboxItem item) => new Renewal(this, item);

    private sealed class Renewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private readonly InboxClaims _owner;
        private readonly long _itemId;

        public Renewal(InboxClaims owner, InboxItem item)
        {
            (_owner, _itemId) = (owner, item.Id);
            owner._inHand[item.Id] = 0;
            _loop = RenewAsync(owner, item, _stop.Token);
        }

        private static async Task RenewAsync(InboxClaims owner, InboxItem item, CancellationToken ct)
        {
            var every = owner._duration / 3;
            try
            {
                while (true)
                {
                    await Task.Delay(every, owner._time, ct);
                    try
                    {
                        if (!await owner._inbox.RenewClaimAsync(item, owner.Now(), ct))
                        {
                            // Every write for the item is fenced from now on; renewing cannot win it back.
                            owner._logger.LogWarning("The claim on inbox item {InboxId} was lost; another replica may have taken it", item.Id);
                            return;
                        }
                    }
                    catch (StoreUnavailableException ex)
                    {
                        // Cut from the store: keep trying. If the claim lapses meanwhile, another
                        // replica may take the item, and this one's writes for it are fenced.
                        owner._logger.LogWarning("Renewing the claim on inbox item {InboxId} failed: {Error}", item.Id, ex.Message);
                    }
                }
            }
            catch (OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
            _owner._inHand.TryRemove(_itemId, out _);
        }
    }
}
