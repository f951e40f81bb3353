using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Producers;

namespace Mediasoup.Transports;

/// <summary>
/// Finds the Producer of an incoming RTP packet within one transport: by SSRC first, then
/// by MID, then by RID (only for packets without MID); later lookups learn the SSRC.
/// </summary>
internal sealed class RtpListener
{
    private readonly Dictionary<uint, Producer> _ssrcTable = new();
    private readonly Dictionary<string, Producer> _midTable = new();
    private readonly Dictionary<string, Producer> _ridTable = new();

    public IReadOnlyDictionary<uint, Producer> SsrcTable => _ssrcTable;
    public IReadOnlyDictionary<string, Producer> MidTable => _midTable;
    public IReadOnlyDictionary<string, Producer> RidTable => _ridTable;

    /// <summary>Adds all keys of the producer, or none (MediasoupError on a clash).</summary>
    public void AddProducer(Producer producer)
    {
        RtpParameters.RtpParameters p = producer.RtpParameters;
        var ssrcs = new List<uint>();
        foreach (RtpParameters.RtpEncoding e in p.Encodings)
        {
            if (e.Ssrc != 0)
                ssrcs.Add(e.Ssrc);
            if (e.HasRtx && e.RtxSsrc != 0)
                ssrcs.Add(e.RtxSsrc);
        }
        foreach (uint ssrc in ssrcs)
        {
            if (_ssrcTable.ContainsKey(ssrc))
                throw new MediasoupError($"ssrc already exists in RTP listener [ssrc:{ssrc}]");
        }
        if (p.Mid.Length > 0 && _midTable.ContainsKey(p.Mid))
            throw new MediasoupError($"MID already exists in RTP listener [mid:{p.Mid}]");
        if (p.Mid.Length == 0)
        {
            foreach (RtpParameters.RtpEncoding e in p.Encodings)
            {
                if (e.Rid.Length > 0 && _ridTable.ContainsKey(e.Rid))
                    throw new MediasoupError($"RID already exists in RTP listener [rid:{e.Rid}]");
            }
        }

        foreach (uint ssrc in ssrcs)
            _ssrcTable[ssrc] = producer;
        if (p.Mid.Length > 0)
            _midTable[p.Mid] = producer;
        else
        {
            foreach (RtpParameters.RtpEncoding e in p.Encodings)
            {
                if (e.Rid.Length > 0)
                    _ridTable[e.Rid] = producer;
            }
        }
    }

    public void RemoveProducer(Producer producer)
    {
        RemoveWhere(_ssrcTable, producer);
        RemoveWhere(_midTable, producer);
        RemoveWhere(_ridTable, producer);
    }

    /// <summary>Adds every SSRC routed to <paramref name="producer"/> (signalled or learned) to <paramref name="into"/>.</summary>
    public void CollectSsrcs(Producer producer, List<uint> into)
    {
        foreach ((uint ssrc, Producer p) in _ssrcTable)
        {
            if (p == producer)
                into.Add(ssrc);
        }
    }

    public Producer? GetBySsrc(uint ssrc) => _ssrcTable.TryGetValue(ssrc, out Producer? p) ? p : null;

    /// <summary>Learns ssrc → producer after a MID/RID match.</summary>
    public void Learn(uint ssrc, Producer producer) => _ssrcTable[ssrc] = producer;

    public Producer? GetByMid(string mid) => _midTable.TryGetValue(mid, out Producer? p) ? p : null;

    public Producer? GetByRid(string rid) => _ridTable.TryGetValue(rid, out Producer? p) ? p : null;

    public FBS.Transport.RtpListenerT ToFbs()
    {
        var t = new FBS.Transport.RtpListenerT
        {
            SsrcTable = new List<FBS.Common.Uint32StringT>(),
            MidTable = new List<FBS.Common.StringStringT>(),
            RidTable = new List<FBS.Common.StringStringT>(),
        };
        foreach (var kv in _ssrcTable)
            t.SsrcTable.Add(new FBS.Common.Uint32StringT { Key = kv.Key, Value = kv.Value.Id });
        foreach (var kv in _midTable)
            t.MidTable.Add(new FBS.Common.StringStringT { Key = kv.Key, Value = kv.Value.Id });
        foreach (var kv in _ridTable)
            t.RidTable.Add(new FBS.Common.StringStringT { Key = kv.Key, Value = kv.Value.Id });
        return t;
    }

    private static void RemoveWhere<TKey>(Dictionary<TKey, Producer> table, Producer producer) where TKey : notnull
    {
        List<TKey>? keys = null;
        foreach (var kv in table)
        {
            if (kv.Value == producer)
                (keys ??= new List<TKey>()).Add(kv.Key);
        }
        if (keys != null)
        {
            foreach (TKey k in keys)
                table.Remove(k);
        }
    }
}
