using System.Net.Sockets;
using Npgsql;

namespace AlertHealer.Storage;

public static class StoreFaults
{
    // What kind of fault kept the store away, for /readyz (anonymous): no host, role or database name.
    public static string Summary(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification }:
                    return "the database refused the login";
                case PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege }:
                    return "the role may not create the schema";
                case PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown }:
                    return "the database is starting or stopping";
                case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }:
                    return "the database does not exist";
                case SocketException or TimeoutException:
                    return "the database cannot be reached";
            }
        }
        return "the database is unavailable";
    }
}
