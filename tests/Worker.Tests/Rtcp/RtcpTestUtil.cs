using System.Globalization;
using Mediasoup.Rtcp;
using Xunit;

namespace Mediasoup.Tests.Rtcp;

internal static class RtcpTestUtil
{
    /// <summary>"80 c8 00 06 ..." to bytes; whitespace and '|' ignored.</summary>
    public static byte[] Hex(string text)
    {
        var clean = new string(text.Where(Uri.IsHexDigit).ToArray());
        var bytes = new byte[clean.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = byte.Parse(clean.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return bytes;
    }

    public static RtcpPacket Single(ReadOnlySpan<byte> data)
    {
        Assert.True(RtcpPacket.TryCreate(data, out RtcpPacket packet), "not one valid RTCP packet");
        return packet;
    }

    /// <summary>
    /// Runs every reader over every packet and touches every field, as a transport would.
    /// Returns a checksum so nothing is optimised away, and counts how many packets no typed
    /// reader accepted.
    /// </summary>
    public static long ParseEverything(ReadOnlySpan<byte> data, out RtcpError error, out int rejected)
    {
        long sum = 0;
        rejected = 0;
        var reader = new RtcpCompoundReader(data);
        error = reader.Error;
        foreach (RtcpPacket p in reader)
        {
            sum += ReadPacket(p, out bool accepted);
            if (!accepted)
                rejected++;
        }
        return sum;
    }

    public static long ReadPacket(RtcpPacket p, out bool accepted)
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
            Assert.Equal(tcc.PacketStatusCount, n);
            Assert.Equal(tcc.ReceivedCount, received);
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
