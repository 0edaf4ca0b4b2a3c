using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

// coordination.k8s.io Leases: get, create, update only (what deploy/rbac-alerthealer.yaml grants).
// Taking a lease is an optimistic update on its resourceVersion, so two replicas cannot both win.
public sealed class KubernetesLease(IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, ILogger<KubernetesLease> logger) : ITargetLease
{
    private readonly KubernetesOptions _options = options.Value;

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var ns = _options.LeaseNamespace;
        var now = time.GetUtcNow().UtcDateTime;
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
            else if (HeldByOther(current.Spec, now))
            {
                logger.LogInformation("Lease {Namespace}/{Lease} is held by {Holder}", ns, name, current.Spec.HolderIdentity);
                return null;
            }
            else
            {
                current.Spec = spec;
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, name, ns, cancellationToken: ct);
            }
            return new Held(this, ns, name);
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

    private bool HeldByOther(V1LeaseSpec? spec, DateTime now) =>
        spec?.HolderIdentity is { Length: > 0 } holder && holder != _options.Identity
        && (spec.RenewTime ?? spec.AcquireTime) is { } renewed
        && renewed.AddSeconds(spec.LeaseDurationSeconds ?? 0) > now;

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
        lease.Spec.RenewTime = time.GetUtcNow().UtcDateTime;
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct);
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

    // Renews every third of LeaseDuration until cancelled, or until someone else holds it.
    private async Task RenewWhileHeldAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, time, ct);
                if (!await RenewAsync(ns, name, ct))
                {
                    logger.LogWarning("Lease {Namespace}/{Lease} was taken by another holder while held", ns, name);
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            // The lease lapses after LeaseDuration; the UID precondition keeps the delete safe.
            logger.LogWarning("Could not renew lease {Namespace}/{Lease}: {Error}", ns, name, ex.Message);
        }
    }

    private sealed class Held : IAsyncDisposable
    {
        private readonly KubernetesLease _owner;
        private readonly string _ns;
        private readonly string _name;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Held(KubernetesLease owner, string ns, string name)
        {
            (_owner, _ns, _name) = (owner, ns, name);
            _renewing = owner.RenewWhileHeldAsync(ns, name, _stop.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            await _owner.ReleaseAsync(_ns, _name);
        }
    }
}
