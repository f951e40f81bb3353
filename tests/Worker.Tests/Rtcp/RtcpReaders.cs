using Mediasoup.Rtcp;

namespace Mediasoup.Tests.Rtcp;

/// <summary>
/// Runs every typed RTCP reader over one packet and touches every field, as a transport
/// would; returns a checksum so nothing is optimised away. Shared by the unit tests and the
/// RTCP fuzz target (no test framework here: a broken invariant throws).
/// </summary>
internal static class RtcpReaders
{
    public static long ReadAll(RtcpPacket p) => ReadAll(p, out _);

    public static long ReadAll(RtcpPacket p, out bool accepted)
    {
        long sum = p.Count + (int)p.Type + p.Body.Length;
        accepted = false;
        if (SenderReport.TryRead(p, out SenderReport sr))
        {
            accepted = true;
            sum += sr.Ssrc + sr.Info.PacketCount + sr.Info.Ntp.Compact;
            for (int i = 0; i < sr.ReportCount; i++)
                sum += sr.GetReportBlock(i).TotalLost;
        }
        if (ReceiverReport.TryRead(p, out ReceiverReport rr))
        {
            accepted = true;
            sum += rr.Ssrc;
            for (int i = 0; i < rr.ReportCount; i++)
                sum += rr.GetReportBlock(i).Jitter;
        }
        if (Sdes.TryRead(p, out Sdes sdes))
        {
            accepted = true;
            foreach (SdesChunk chunk in sdes)
            {
                sum += chunk.Ssrc;
                foreach (SdesItem item in chunk)
                    sum += (int)item.Type + item.Value.Length;
                if (chunk.TryGetCname(out ReadOnlySpan<byte> cname))
                    sum += cname.Length;
            }
        }
        if (Bye.TryRead(p, out Bye bye))
        {
            accepted = true;
            for (int i = 0; i < bye.SsrcCount; i++)
                sum += bye.GetSsrc(i);
            sum += bye.Reason.Length;
        }
        if (App.TryRead(p, out App app))
        {
            accepted = true;
            sum += app.Ssrc + app.Name[0] + app.Data.Length + app.Subtype;
        }
        if (FeedbackPacket.TryRead(p, out FeedbackPacket fb))
            sum += fb.SenderSsrc + fb.MediaSsrc + fb.Fci.Length + fb.Fmt;
        if (GenericNack.TryRead(p, out GenericNack nack))
        {
            accepted = true;
            foreach (ushort seq in nack)
                sum += seq;
            Span<ushort> expanded = stackalloc ushort[NackItem.MaxLostPerItem];
            for (int i = 0; i < nack.ItemCount; i++)
                sum += nack.GetItem(i).Expand(expanded);
        }
        if (TransportCcFeedback.TryRead(p, out TransportCcFeedback tcc))
        {
            accepted = true;
            sum += tcc.BaseSequence + tcc.ReferenceTimeUs + tcc.FeedbackPacketCount;
            int n = 0, received = 0;
            foreach (TransportCcPacketStatus s in tcc)
            {
                sum += s.Sequence + s.DeltaUs;
                n++;
                if (s.Received)
                    received++;
            }
            if (n != tcc.PacketStatusCount || received != tcc.ReceivedCount)
                throw new InvalidOperationException($"transport-cc: iterated {n} statuses ({received} received), the header says {tcc.PacketStatusCount} ({tcc.ReceivedCount})");
        }
        if (Pli.TryRead(p, out Pli pli))
        {
            accepted = true;
            sum += pli.MediaSsrc;
        }
        if (Fir.TryRead(p, out Fir fir))
        {
            accepted = true;
            for (int i = 0; i < fir.EntryCount; i++)
                sum += fir.GetEntry(i).SequenceNumber;
        }
        if (Remb.TryRead(p, out Remb remb))
        {
            accepted = true;
            sum += (long)(remb.Bitrate & 0xFFFF);
            for (int i = 0; i < remb.SsrcCount; i++)
                sum += remb.GetSsrc(i);
        }
        if (ExtendedReport.TryRead(p, out ExtendedReport xr))
        {
            accepted = true;
            sum += xr.Ssrc;
            foreach (XrBlock block in xr)
            {
                sum += block.BlockType + block.Content.Length;
                if (block.TryGetRrtr(out NtpTime ntp))
                    sum += ntp.Compact;
                for (int i = 0; i < block.DlrrCount; i++)
                    sum += block.GetDlrr(i).DelaySinceLastRr;
            }
        }
        return sum;
    }
}
