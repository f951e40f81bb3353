using System;

namespace Mediasoup.Channel;

/// <summary>A request failure reported to the host as error "Error" (host: Error).</summary>
public class MediasoupError(string message) : Exception(message)
{
    /// <summary>The `error` string of the Response table.</summary>
    public virtual string Kind => "Error";
}

/// <summary>Reported as "TypeError": invalid arguments (host: TypeError).</summary>
public sealed class MediasoupTypeError(string message) : MediasoupError(message)
{
    public override string Kind => "TypeError";
}

/// <summary>Reported as "NotFoundError": the target no longer exists (host: NotFoundError).</summary>
public sealed class MediasoupNotFoundError(string message) : MediasoupError(message)
{
    public override string Kind => "NotFoundError";
}
