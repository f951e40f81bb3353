using System;
using Google.FlatBuffers;

namespace Mediasoup.Channel;

/// <summary>
/// One request from the host, valid only while it is being handled. Exactly one reply is
/// sent: a handler calls Accept (optionally with a body built on <see cref="Builder"/>)
/// or throws a <see cref="MediasoupError"/> that the channel turns into the reply.
/// </summary>
public sealed class ChannelRequest
{
    private readonly Channel _channel;

    internal ChannelRequest(Channel channel, FlatBufferBuilder builder)
    {
        _channel = channel;
        Builder = builder;
    }

    public uint Id { get; private set; }
    public FBS.Request.Method Method { get; private set; }
    /// <summary>lowerCamel name used in error reasons, e.g. "worker.createRouter".</summary>
    public string MethodName { get; private set; } = "";
    public string HandlerId { get; private set; } = "";
    public FBS.Request.Request Data { get; private set; }
    public bool Replied { get; private set; }

    /// <summary>Builder for the response body; cleared before each request.</summary>
    public FlatBufferBuilder Builder { get; }

    internal void Reset(uint id, FBS.Request.Method method, string methodName, string handlerId, FBS.Request.Request data)
    {
        Id = id;
        Method = method;
        MethodName = methodName;
        HandlerId = handlerId;
        Data = data;
        Replied = false;
        Builder.Clear();
    }

    public void Accept() => Reply(true, FBS.Response.Body.NONE, 0, null, null);

    public void Accept(FBS.Response.Body bodyType, int bodyOffset) => Reply(true, bodyType, bodyOffset, null, null);

    public void Error(string reason) => Fail("Error", reason);

    public void TypeError(string reason) => Fail("TypeError", reason);

    public void NotFoundError(string reason) => Fail("NotFoundError", reason);

    internal void Fail(string kind, string reason)
    {
        // A body may have been half built when the handler failed.
        Builder.Clear();
        Reply(false, FBS.Response.Body.NONE, 0, kind, reason);
    }

    /// <summary>Request body as table T, or a TypeError when it is missing or of another type.</summary>
    public T Body<T>(FBS.Request.Body expected) where T : struct, IFlatbufferObject
    {
        if (Data.BodyType != expected)
            throw new MediasoupTypeError($"missing or wrong request body (expected {expected}) [method:{MethodName}]");
        T? body = Data.Body<T>();
        if (body == null)
            throw new MediasoupTypeError($"missing request body [method:{MethodName}]");
        return body.Value;
    }

    private void Reply(bool accepted, FBS.Response.Body bodyType, int bodyOffset, string? kind, string? reason)
    {
        if (Replied)
            throw new InvalidOperationException($"request already replied [method:{MethodName}]");
        Replied = true;
        _channel.SendResponse(this, accepted, bodyType, bodyOffset, kind, reason);
    }
}

/// <summary>One notification from the host, valid only while it is being handled.</summary>
public sealed class ChannelNotification
{
    public FBS.Notification.Event Event { get; internal set; }
    public string HandlerId { get; internal set; } = "";
    public FBS.Notification.Notification Data { get; internal set; }

    public T Body<T>(FBS.Notification.Body expected) where T : struct, IFlatbufferObject
    {
        if (Data.BodyType != expected)
            throw new MediasoupTypeError($"missing or wrong notification body (expected {expected})");
        T? body = Data.Body<T>();
        if (body == null)
            throw new MediasoupTypeError("missing notification body");
        return body.Value;
    }
}

public interface IRequestHandler
{
    void HandleRequest(ChannelRequest request);
}

public interface INotificationHandler
{
    void HandleNotification(ChannelNotification notification);
}
