using System.Runtime.InteropServices;

namespace DualStack.Internal;

internal static partial class InterfaceNames
{
    // IF_NAMESIZE on Linux and the BSDs.
    private const int IfNameSize = 16;

    private static bool UnixTryGetIndex(string name, out uint index)
    {
        index = if_nametoindex(name);
        return index != 0;
    }

    private static unsafe string? UnixTryGetName(uint index)
    {
        byte* buffer = stackalloc byte[IfNameSize];
        return if_indextoname(index, buffer) == null ? null : Marshal.PtrToStringUTF8((nint)buffer);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);

    [LibraryImport("libc")]
    private static unsafe partial byte* if_indextoname(uint index, byte* name);
}
