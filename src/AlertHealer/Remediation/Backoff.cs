using AlertHealer.Policies;

namespace AlertHealer.Remediation;

// CrashLoopBackOff's shape: cooldown doubles per restart in a row, capped, and the count
// resets once the target has stayed healthy for HealthyResetAfter.
public static class Backoff
{
    public static TimeSpan CooldownAfter(int consecutiveRestarts, PolicyOptions policy)
    {
        var factor = Math.Pow(2, Math.Max(0, consecutiveRestarts - 1));
        var cooldown = TimeSpan.FromTicks((long)Math.Min(policy.Cooldown.Ticks * factor, policy.MaxCooldown.Ticks));
        return cooldown;
    }

    public static PolicyState ForgetIfHealthy(PolicyState state, PolicyOptions policy, DateTimeOffset now)
    {
        var lastTrouble = Max(state.LastRestartAt, state.LastUnhealthyAt);
        return lastTrouble is { } t && now - t >= policy.HealthyResetAfter && state.ConsecutiveRestarts > 0
            ? state with { ConsecutiveRestarts = 0, CooldownUntil = null }
            : state;
    }

    public static PolicyState AfterRestart(PolicyState state, PolicyOptions policy, DateTimeOffset now)
    {
        var restarts = state.ConsecutiveRestarts + 1;
        return state with
        {
            ConsecutiveRestarts = restarts,
            LastRestartAt = now,
            CooldownUntil = now + CooldownAfter(restarts, policy),
        };
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a > b || b is null ? a : b;
}
