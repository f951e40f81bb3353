using System.Collections.Generic;

namespace Mediasoup.Channel;

/// <summary>
/// The worker's id → handler map for requests and notifications. Ids are unique per
/// worker (this is why a producer id cannot repeat across routers of one worker).
/// </summary>
public sealed class HandlerRegistry
{
    private readonly Dictionary<string, IRequestHandler> _requestHandlers = new();
    private readonly Dictionary<string, INotificationHandler> _notificationHandlers = new();

    public void Register(string id, IRequestHandler? requestHandler, INotificationHandler? notificationHandler)
    {
        if (requestHandler != null && _requestHandlers.ContainsKey(id))
            throw new MediasoupError($"Channel request handler with ID {id} already exists");
        if (notificationHandler != null && _notificationHandlers.ContainsKey(id))
            throw new MediasoupError($"Channel notification handler with ID {id} already exists");
        if (requestHandler != null)
            _requestHandlers.Add(id, requestHandler);
        if (notificationHandler != null)
            _notificationHandlers.Add(id, notificationHandler);
    }

    public void Unregister(string id)
    {
        _requestHandlers.Remove(id);
        _notificationHandlers.Remove(id);
    }

    public IRequestHandler? GetRequestHandler(string id) =>
        _requestHandlers.TryGetValue(id, out IRequestHandler? h) ? h : null;

    public INotificationHandler? GetNotificationHandler(string id) =>
        _notificationHandlers.TryGetValue(id, out INotificationHandler? h) ? h : null;

    public IEnumerable<string> RequestHandlerIds => _requestHandlers.Keys;

    public IEnumerable<string> NotificationHandlerIds => _notificationHandlers.Keys;
}
