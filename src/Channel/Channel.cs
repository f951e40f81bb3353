using System;
using Google.FlatBuffers;
using Mediasoup.Logging;

namespace Mediasoup.Channel;

/// <summary>Receives what the host sends; the worker implements it.</summary>
public interface IChannelListener
{
    void HandleRequest(ChannelRequest request);
    void HandleNotification(ChannelNotification notification);
    void OnChannelClosed();
}

/// <summary>
/// The message side of the channel: decodes FlatBuffers Messages from the host,
/// dispatches them strictly in arrival order, and encodes responses, notifications and
/// log lines. Malformed input never escapes: it is answered (when it carries a request
/// id) or logged and dropped.
/// </summary>
public sealed class Channel : IChannelSocketListener, ILogSink
{
    private readonly IChannelTransport _socket;
    private readonly FlatBufferBuilder _responseBuilder = new(1024);
    private readonly FlatBufferBuilder _notificationBuilder = new(1024);
    private readonly FlatBufferBuilder _logBuilder = new(256);
    private readonly ChannelRequest _request;
    private readonly ChannelNotification _notification = new();
    private readonly FrameWindow _frame = new();
    private IChannelListener? _listener;
    private Logger? _logger;
    private bool _dispatching;

    public Channel(IChannelTransport socket)
    {
        _socket = socket;
        _request = new ChannelRequest(this, _responseBuilder);
    }

    /// <summary>Messages that could not be decoded or had an unexpected type.</summary>
    public long MalformedMessages { get; private set; }

    public void Start(IChannelListener listener, Logger logger)
    {
        _listener = listener;
        _logger = logger;
        _socket.Start(this);
    }

    // ---- host → worker ----

    void IChannelSocketListener.OnChannelFrame(byte[] buffer, int offset, int length)
    {
        _frame.Load(buffer, offset, length);

        FBS.Message.Message message;
        FBS.Message.Body type;
        try
        {
            if (length < 8)
                throw new FormatException($"frame of {length} bytes is too short");
            message = FBS.Message.Message.GetRootAsMessage(_frame.View);
            type = message.DataType;
        }
        catch (Exception ex)
        {
            Malformed($"discarding undecodable Channel message: {ex.Message}");
            return;
        }

        switch (type)
        {
            case FBS.Message.Body.Request:
                DispatchRequest(message);
                break;
            case FBS.Message.Body.Notification:
                DispatchNotification(message);
                break;
            default:
                Malformed("discarding wrong Channel data");
                break;
        }
    }

    void IChannelSocketListener.OnChannelClosed() => _listener?.OnChannelClosed();

    private void DispatchRequest(FBS.Message.Message message)
    {
        FBS.Request.Request data;
        uint id;
        try
        {
            FBS.Request.Request? maybe = message.Data<FBS.Request.Request>();
            if (maybe == null)
                throw new FormatException("empty request");
            data = maybe.Value;
            id = data.Id;
        }
        catch (Exception ex)
        {
            Malformed($"discarding undecodable request: {ex.Message}");
            return;
        }

        _dispatching = true;
        try
        {
            FBS.Request.Method method;
            string handlerId;
            try
            {
                method = data.Method;
                handlerId = data.HandlerId ?? throw new MediasoupTypeError("missing handlerId");
            }
            catch (MediasoupError)
            {
                throw;
            }
            catch (Exception ex)
            {
                _request.Reset(id, default, "", "", data);
                Malformed($"undecodable request [id:{id}]: {ex.Message}");
                _request.TypeError($"malformed request: {ex.Message}");
                return;
            }

            if (!MethodNames.TryGet(method, out string methodName))
            {
                _request.Reset(id, method, $"{(byte)method}", handlerId, data);
                _request.Error($"unknown method '{(byte)method}'");
                return;
            }

            _request.Reset(id, method, methodName, handlerId, data);
            try
            {
                _listener!.HandleRequest(_request);
                if (!_request.Replied)
                    _request.Error($"request not answered [method:{methodName}]");
            }
            catch (MediasoupError ex)
            {
                ReplyFailure(ex.Kind, ex.Message);
            }
            catch (Exception ex)
            {
                // Garbage inside an otherwise well-framed request (out-of-range offsets), or a
                // bug: either way answer it and keep the worker running.
                _logger?.Error($"request failed [method:{methodName}]: {ex.GetType().Name}: {ex.Message}");
                ReplyFailure("Error", $"{ex.GetType().Name}: {ex.Message} [method:{methodName}]");
            }
        }
        catch (MediasoupError ex)
        {
            _request.Reset(id, default, "", "", data);
            _request.Fail(ex.Kind, ex.Message);
        }
        finally
        {
            _dispatching = false;
        }
    }

    private void ReplyFailure(string kind, string reason)
    {
        if (_request.Replied)
        {
            _logger?.Error($"request failed after reply [method:{_request.MethodName}]: {reason}");
            return;
        }
        _request.Fail(kind, reason);
    }

    private void DispatchNotification(FBS.Message.Message message)
    {
        try
        {
            FBS.Notification.Notification? maybe = message.Data<FBS.Notification.Notification>();
            if (maybe == null)
                throw new FormatException("empty notification");
            FBS.Notification.Notification data = maybe.Value;
            _notification.Data = data;
            _notification.Event = data.Event;
            _notification.HandlerId = data.HandlerId ?? "";
            _listener!.HandleNotification(_notification);
        }
        catch (MediasoupError ex)
        {
            _logger?.Error($"notification failed: {ex.Message}");
        }
        catch (Exception ex)
        {
            Malformed($"discarding malformed notification: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Malformed(string text)
    {
        MalformedMessages++;
        _logger?.Error(text);
    }

    // ---- worker → host ----

    internal void SendResponse(ChannelRequest request, bool accepted, FBS.Response.Body bodyType, int bodyOffset,
        string? error, string? reason)
    {
        FlatBufferBuilder b = _responseBuilder;
        StringOffset errorOffset = error != null ? b.CreateString(error) : default;
        StringOffset reasonOffset = reason != null ? b.CreateString(reason) : default;
        FBS.Response.Response.StartResponse(b);
        FBS.Response.Response.AddId(b, request.Id);
        FBS.Response.Response.AddAccepted(b, accepted);
        if (bodyType != FBS.Response.Body.NONE)
        {
            FBS.Response.Response.AddBodyType(b, bodyType);
            FBS.Response.Response.AddBody(b, bodyOffset);
        }
        if (error != null)
            FBS.Response.Response.AddError(b, errorOffset);
        if (reason != null)
            FBS.Response.Response.AddReason(b, reasonOffset);
        var response = FBS.Response.Response.EndResponse(b);
        Finish(b, FBS.Message.Body.Response, response.Value);
    }

    /// <summary>Clears and returns the notification builder for packing a body; follow with
    /// <see cref="SendNotification(string, FBS.Notification.Event, FBS.Notification.Body, int)"/>.</summary>
    public FlatBufferBuilder BeginNotification()
    {
        _notificationBuilder.Clear();
        return _notificationBuilder;
    }

    public void SendNotification(string handlerId, FBS.Notification.Event ev)
    {
        _notificationBuilder.Clear();
        SendNotification(handlerId, ev, FBS.Notification.Body.NONE, 0);
    }

    public void SendNotification(string handlerId, FBS.Notification.Event ev, FBS.Notification.Body bodyType, int bodyOffset)
    {
        FlatBufferBuilder b = _notificationBuilder;
        StringOffset handler = b.CreateString(handlerId);
        FBS.Notification.Notification.StartNotification(b);
        FBS.Notification.Notification.AddHandlerId(b, handler);
        FBS.Notification.Notification.AddEvent(b, ev);
        if (bodyType != FBS.Notification.Body.NONE)
        {
            FBS.Notification.Notification.AddBodyType(b, bodyType);
            FBS.Notification.Notification.AddBody(b, bodyOffset);
        }
        var notification = FBS.Notification.Notification.EndNotification(b);
        Finish(b, FBS.Message.Body.Notification, notification.Value);
        b.Clear();
    }

    void ILogSink.WriteLog(char level, ReadOnlySpan<char> text)
    {
        FlatBufferBuilder b = _logBuilder;
        b.Clear();
        // One string: level char then text.
        string line = string.Concat(new ReadOnlySpan<char>(in level), text);
        StringOffset data = b.CreateString(line);
        var log = FBS.Log.Log.CreateLog(b, data);
        Finish(b, FBS.Message.Body.Log, log.Value);
        b.Clear();
    }

    private void Finish(FlatBufferBuilder b, FBS.Message.Body type, int bodyOffset)
    {
        var message = FBS.Message.Message.CreateMessage(b, type, bodyOffset);
        b.FinishSizePrefixed(message.Value);
        ArraySegment<byte> bytes = b.DataBuffer.ToArraySegment(b.DataBuffer.Position, b.Offset);
        if (bytes.Count > FrameReader.MessageMaxLen)
        {
            Stderr.WriteLine("message too big");
            return;
        }
        _socket.Send(bytes);
    }

    public bool IsDispatching => _dispatching;
}
