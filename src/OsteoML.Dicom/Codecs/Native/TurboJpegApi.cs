namespace OsteoML.Dicom.Codecs.Native;

/// <summary>
/// The part of libjpeg-turbo's TurboJPEG 2 API (turbojpeg.h) the DCT JPEG codec calls, resolved from
/// libturbojpeg.so.0 on first use. Functions return 0 on success, −1 on failure (message from tjGetErrorStr2).
/// </summary>
internal sealed unsafe class TurboJpegApi
{
    public static readonly NativeCodecLibrary Library = new("libjpeg-turbo's TurboJPEG", "libturbojpeg0", "libturbojpeg.so.0", "libturbojpeg.so", "turbojpeg");
    private static readonly Lazy<TurboJpegApi> Instance = new(() => new TurboJpegApi());

    public static TurboJpegApi Get() => Instance.Value;

    // TJPF pixel formats.
    public const int PixelFormatRgb = 0;
    public const int PixelFormatGray = 6;
    /// <summary>TJERR_WARNING: the image decoded, with a libjpeg warning (e.g. a premature end of data).</summary>
    public const int ErrorWarning = 0;

    public readonly delegate* unmanaged<nint> InitDecompress;
    public readonly delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3;
    public readonly delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2;
    public readonly delegate* unmanaged<nint, int> Destroy;
    public readonly delegate* unmanaged<nint, byte*> GetErrorStr2;
    public readonly delegate* unmanaged<nint, int> GetErrorCode;

    private TurboJpegApi()
    {
        var l = Library;
        InitDecompress = (delegate* unmanaged<nint>)l.Export("tjInitDecompress");
        DecompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)l.Export("tjDecompressHeader3");
        Decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)l.Export("tjDecompress2");
        Destroy = (delegate* unmanaged<nint, int>)l.Export("tjDestroy");
        GetErrorStr2 = (delegate* unmanaged<nint, byte*>)l.Export("tjGetErrorStr2");
        GetErrorCode = (delegate* unmanaged<nint, int>)l.Export("tjGetErrorCode");
    }

    public string LastError(nint handle) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)GetErrorStr2(handle)) ?? "unknown error";
}
