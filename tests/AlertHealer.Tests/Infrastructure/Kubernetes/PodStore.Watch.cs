namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>The watch side of the pod store: history replay, live subscribers, compaction.</summary>
internal sealed partial class PodStore
{
    /// <summary>Watches currently registered (a client that cancels keeps its connection until the server notices).</summary>
    public int OpenWatches
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    /// <summary>Starts a watch. Without <paramref name="fromResourceVersion"/> the current matching pods come first as ADDED.</summary>
    public PodSubscription Watch(PodFilter filter, long? fromResourceVersion)
    {
        var subscription = new PodSubscription(filter, Unsubscribe);
        lock (gate)
        {
            if (fromResourceVersion is not { } from)
            {
                foreach (var pod in pods.Values)
                {
                    subscription.Offer(new PodEvent(0, "ADDED", pod, null));
                }
            }
            else if (from < oldestWatchable)
            {
                subscription.Complete(ErrorLine(KubernetesStatus.Expired(from, oldestWatchable)));
                return subscription;
            }
            else
            {
                foreach (var change in history.Where(e => e.ResourceVersion > from))
                {
                    subscription.Offer(change);
                }
            }

            subscribers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Forgets the change history, like an etcd compaction: watches from older versions get 410 Expired.</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            oldestWatchable = clock.Current;
        }
    }

    /// <summary>Ends every live watch (server shutdown).</summary>
    public void CloseWatches()
    {
        lock (gate)
        {
            foreach (var subscription in subscribers)
            {
                subscription.Complete();
            }

            subscribers.Clear();
        }
    }

    /// <summary>Cuts every live watch mid-event (half a line, then the connection reset).</summary>
    public void CutWatches()
    {
        lock (gate)
        {
            foreach (var subscription in subscribers)
            {
                subscription.Cut();
            }

            subscribers.Clear();
        }
    }

    private void Publish(PodEvent change)
    {
        history.Add(change);
        foreach (var subscription in subscribers)
        {
            subscription.Offer(change);
        }
    }

    private void Unsubscribe(PodSubscription subscription)
    {
        lock (gate)
        {
            subscribers.Remove(subscription);
        }
    }

    private static string ErrorLine(string statusJson) => $"{{\"type\":\"ERROR\",\"object\":{statusJson}}}";
}
