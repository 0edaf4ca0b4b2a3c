using System.Data;
using System.Net.Sockets;
using Npgsql;

namespace AlertHealer.Storage.Postgres;

// What a failure of PostgreSQL means for the caller.
public static class PostgresErrors
{
    // Anything the database, the network or a timeout caused: the store is unavailable (503), never a 500.
    public static bool IsStoreFault(Exception ex) =>
        ex is NpgsqlException or TimeoutException or SocketException or IOException;

    // Serializable transactions that collided with another replica's: nothing was committed; run again.
    public static bool IsConflict(Exception ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    // The connection is dead (server restarted, failover, network): every idle one in the pool is
    // likely dead too.
    public static bool LostConnection(Exception ex, NpgsqlConnection connection) =>
        IsStoreFault(ex) && (connection.FullState == ConnectionState.Broken || connection.State == ConnectionState.Closed);

    // A fault of the statement itself (a constraint, a type): the delivery's own, not the batch's.
    public static bool IsStatementFault(Exception ex) =>
        ex is PostgresException p && !IsConflict(p) && !p.IsTransient;
}
