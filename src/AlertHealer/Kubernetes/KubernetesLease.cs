using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

// coordination.k8s.io Leases: get, create, update only (what deploy/rbac-alerthealer.yaml grants).
// Taking a lease is an optimistic update on its resourceVersion, so two replicas cannot both win.
// Expiry is judged as client-go's leader election does: by this replica's own clock, from the
// moment it last saw the Lease record change, never by comparing the holder's renewTime with
// the local clock (the replicas' clocks differ).
public sealed class KubernetesLease(IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, ILogger<KubernetesLease> logger) : ITargetLease
{
    private readonly KubernetesOptions _options = options.Value;
    private readonly TimeProvider _time = time;

    // Per Lease: the record last seen, and when (this replica's clock) it was first seen so.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Record, DateTimeOffset Since)> _observed = new();

    // Reads the Lease so that a later takeover counts from a change seen early, as client-go's
    // candidates poll; without it, the first look at a dead holder's Lease would wait a full LeaseDuration.
    public async Task ObserveAsync(string name, CancellationToken ct)
    {
        if (await GetAsync(_options.LeaseNamespace, name, ct) is { } lease) Observe(name, lease.Spec);
    }

    public async Task<ILeaseHold?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var ns = _options.LeaseNamespace;
        var now = _time.GetUtcNow().UtcDateTime;
        var spec = new V1LeaseSpec
        {
            HolderIdentity = _options.Identity,
            LeaseDurationSeconds = (int)_options.LeaseDuration.TotalSeconds,
            AcquireTime = now,
            RenewTime = now,
        };
        try
        {
            var current = await GetAsync(ns, name, ct);
            if (current is null)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec }, ns, cancellationToken: ct);
            }
            else if (HeldByOther(name, current.Spec))
            {
                logger.LogInformation("Lease {Namespace}/{Lease} is held by {Holder}", ns, name, current.Spec.HolderIdentity);
                return null;
            }
            else
            {
                current.Spec = spec;
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, name, ns, cancellationToken: ct);
            }
            Observe(name, spec);
            return new Hold(this, ns, name, _time.GetTimestamp());
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Someone else created or updated it between our read and write.
            return null;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new ClusterAccessDeniedException($"Kubernetes refused the lease {ns}/{name} ({(int)ex.Response.StatusCode}): {ex.Response.Content}", ex);
        }
        catch (HttpOperationException ex)
        {
            throw new ClusterUnavailableException($"Kubernetes lease {ns}/{name} answered {(int)ex.Response.StatusCode}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ClusterUnavailableException($"Kubernetes lease {ns}/{name} failed: {ex.Message}", ex);
        }
    }

    // Another holder's Lease is live until its record has stood unchanged, as this replica saw
    // it, for its leaseDurationSeconds.
    private bool HeldByOther(string name, V1LeaseSpec? spec)
    {
        if (spec?.HolderIdentity is not { Length: > 0 } holder || holder == _options.Identity) return false;
        var since = Observe(name, spec);
        return _time.GetUtcNow() - since < TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 0);
    }

    private DateTimeOffset Observe(string name, V1LeaseSpec? spec)
    {
        var record = $"{spec?.HolderIdentity}|{spec?.RenewTime:O}|{spec?.AcquireTime:O}|{spec?.LeaseDurationSeconds}|{spec?.LeaseTransitions}";
        var now = _time.GetUtcNow();
        return _observed.AddOrUpdate(name, _ => (record, now), (_, seen) => seen.Record == record ? seen : (record, now)).Since;
    }

    private async Task<V1Lease?> GetAsync(string ns, string name, CancellationToken ct)
    {
        try { return await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct); }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    // Renewing keeps the lease while a remediation runs longer than LeaseDuration.
    private async Task<bool> RenewAsync(string ns, string name, CancellationToken ct)
    {
        var lease = await GetAsync(ns, name, ct);
        if (lease?.Spec?.HolderIdentity != _options.Identity) return false;
        lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct);
        Observe(name, lease.Spec);
        return true;
    }

    // Releasing clears the holder so the next decision need not wait for expiry.
    private async Task ReleaseAsync(string ns, string name)
    {
        try
        {
            var lease = await GetAsync(ns, name, CancellationToken.None);
            if (lease?.Spec?.HolderIdentity != _options.Identity) return;
            lease.Spec.HolderIdentity = null;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            // It expires on its own after LeaseDuration.
            logger.LogWarning("Could not release lease {Namespace}/{Lease}: {Error}", ns, name, ex.Message);
        }
    }

    // Renews every third of LeaseDuration until cancelled, or until someone else holds it; a
    // failed renewal is tried again at the next third (Held turns false after two).
    private async Task RenewWhileHeldAsync(Hold held, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, _time, ct);
                try
                {
                    if (!await RenewAsync(held.Namespace, held.Name, ct))
                    {
                        held.Lost = true;
                        logger.LogWarning("Lease {Namespace}/{Lease} was taken by another holder while held", held.Namespace, held.Name);
                        return;
                    }
                    held.Confirmed = _time.GetTimestamp();
                }
                catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
                {
                    // The lease lapses after LeaseDuration; Held says so before the next DELETE.
                    logger.LogWarning("Could not renew lease {Namespace}/{Lease}: {Error}", held.Namespace, held.Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private sealed class Hold : ILeaseHold
    {
        private readonly KubernetesLease _owner;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Hold(KubernetesLease owner, string ns, string name, long confirmed)
        {
            (_owner, Namespace, Name, Confirmed) = (owner, ns, name, confirmed);
            _renewing = owner.RenewWhileHeldAsync(this, _stop.Token);
        }

        public string Namespace { get; }
        public string Name { get; }
        public bool Lost
        {
            get => Volatile.Read(ref _lost);
            set => Volatile.Write(ref _lost, value);
        }
        private bool _lost;

        // When the API server last confirmed the hold (this process's monotonic clock).
        public long Confirmed
        {
            get => Interlocked.Read(ref _confirmed);
            set => Interlocked.Exchange(ref _confirmed, value);
        }
        private long _confirmed;

        // Two thirds of LeaseDuration, like client-go's renew deadline: a stalled holder gives up
        // before any other replica can count the Lease expired.
        public bool Held => !Lost && _owner._time.GetElapsedTime(Confirmed) < _owner._options.LeaseDuration * 2 / 3;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            await _owner.ReleaseAsync(Namespace, Name);
        }
    }
}
