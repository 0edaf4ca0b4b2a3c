using System.Net;

namespace AlertHealer.Tests.Security;

// A body of unknown length (sent chunked): nothing to refuse up front, so the limit has to
// hold while the body is read.
public sealed class ChunkedContent : HttpContent
{
    private readonly byte[] _bytes;

    public ChunkedContent(byte[] bytes, string contentType = "application/json")
    {
        _bytes = bytes;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < _bytes.Length; offset += 64 * 1024)
            await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(64 * 1024, _bytes.Length - offset)));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
