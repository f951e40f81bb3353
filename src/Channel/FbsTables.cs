using System.Runtime.CompilerServices;
using Google.FlatBuffers;

namespace Mediasoup.Channel;

/// <summary>FlatBuffers helpers the generated accessors lack.</summary>
public static class FbsTables
{
    /// <summary>
    /// True when the field at vtable slot <paramref name="fieldIndex"/> (0-based, schema order)
    /// is present in the table. Needed where absent and empty differ (e.g. logTags). Every
    /// generated table struct wraps exactly one <see cref="Table"/>, so it can be viewed as one.
    /// </summary>
    public static bool HasField<T>(T table, int fieldIndex) where T : struct, IFlatbufferObject
    {
        Table t = Unsafe.As<T, Table>(ref table);
        return t.bb != null && t.__offset(4 + 2 * fieldIndex) != 0;
    }
}
