using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// What the network between client and server does to the bytes relayed (TcpProxy.Fault).
public enum TcpFault
{
    None,
    // A partition: nothing passes either way, new connections hang; held bytes flow once healed,
    // as TCP's retransmissions would deliver them.
    Held,
    // The client's bytes reach the server, the server's answers are held: a commit whose answer never arrives.
    AnswersHeld,
}

// A loopback TCP relay in front of a server, to cut every open connection at once (as a network
// fault or a load balancer does) while the server itself stays up and never says goodbye, or to
// hold what passes (Fault).
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly int _target;
    private readonly Task _accepting;
    private volatile TcpFault _fault;

    public TcpProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public TcpFault Fault { get => _fault; set => _fault = value; }

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
            _ = ConnectAsync(client);
        }
    }

    // Each connection on its own: a server that is down (or a partition) must not stop the accepting.
    private async Task ConnectAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open[client] = true;
        _open[server] = true;
        try
        {
            while (_fault == TcpFault.Held && _open.ContainsKey(client)) await Task.Delay(20);
            await server.ConnectAsync(IPAddress.Loopback, _target);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The server refused (or the client was cut meanwhile): so does the relay.
            Close(client);
            Close(server);
            return;
        }
        _ = RelayAsync(client, server, answers: false);
        _ = RelayAsync(server, client, answers: true);
    }

    private async Task RelayAsync(Socket from, Socket to, bool answers)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                while (Holds(answers) && _open.ContainsKey(to)) await Task.Delay(20);
                await to.SendAsync(buffer.AsMemory(0, read));
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        Close(from);
        Close(to);
    }

    private bool Holds(bool answers) => _fault == TcpFault.Held || (answers && _fault == TcpFault.AnswersHeld);

    private void Close(Socket socket)
    {
        if (!_open.TryRemove(socket, out _)) return;
        try { socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
        socket.Close();
    }
}
