using System.Runtime.InteropServices;

namespace OsteoML.Dicom.Codecs.Native;

/// <summary>
/// A codec's C library, loaded on first use by its soname: a host without it can still read every other syntax,
/// and the one image that needs it fails with a single line naming the library and the Debian package that ships it.
/// </summary>
internal sealed class NativeCodecLibrary(string displayName, string debianPackage, params string[] names)
{
    private readonly Lazy<nint> _handle = new(() =>
    {
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out var handle))
                return handle;
        return 0;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public string DisplayName => displayName;
    public string DebianPackage => debianPackage;

    public bool IsAvailable => _handle.Value != 0;

    /// <summary>The address of an exported function; a missing library or symbol is one <see cref="NotSupportedException"/> line.</summary>
    public nint Export(string symbol)
    {
        var handle = _handle.Value;
        if (handle == 0)
            throw new NotSupportedException($"{displayName} ({names[0]}) is not installed; install the Debian package {debianPackage}.");
        return NativeLibrary.TryGetExport(handle, symbol, out var address)
            ? address
            : throw new NotSupportedException($"{names[0]} has no function {symbol}; {displayName} from the Debian package {debianPackage} is needed.");
    }
}
