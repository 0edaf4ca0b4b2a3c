using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// A loopback TCP relay in front of a server, to cut every open connection at once (as a network
// fault or a load balancer does) while the server itself stays up and never says goodbye.
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly int _target;
    private readonly Task _accepting;

    public TcpProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    // Resets both ends of every relayed connection; new connections are relayed as before.
    public void CutAll()
    {
        foreach (var socket in _open.Keys) Close(socket);
    }

    // A partition: every relayed connection is cut and new ones are closed at once, until healed.
    public bool Partitioned
    {
        get => _partitioned;
        set
        {
            _partitioned = value;
            if (value) CutAll();
        }
    }
    private volatile bool _partitioned;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        CutAll();
        try { await _accepting; } catch (SocketException) { } catch (ObjectDisposedException) { }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            var client = await _listener.AcceptSocketAsync();
            if (_partitioned)
            {
                client.Close();
                continue;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, _target);
            _open[client] = true;
            _open[server] = true;
            _ = RelayAsync(client, server);
            _ = RelayAsync(server, client);
        }
    }

    private async Task RelayAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0) await to.SendAsync(buffer.AsMemory(0, read));
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        Close(from);
        Close(to);
    }

    private void Close(Socket socket)
    {
        if (!_open.TryRemove(socket, out _)) return;
        try { socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
        socket.Close();
    }
}
