namespace OsteoML.Dicom.Codecs.Native;

/// <summary>
/// The part of OpenJPEG 2.x's C API (openjpeg.h) the JPEG 2000 codec calls, resolved from libopenjp2.so.7 on first use.
/// Structure offsets are those of openjpeg.h 2.5 on LP64 (x86-64, arm64); the API has only appended fields since 2.0.
/// </summary>
internal sealed unsafe class OpenJpegApi
{
    public static readonly NativeCodecLibrary Library = new("OpenJPEG", "libopenjp2-7", "libopenjp2.so.7", "libopenjp2.so", "openjp2");
    private static readonly Lazy<OpenJpegApi> Instance = new(() => new OpenJpegApi());

    /// <summary>The bound API; throws the one-line <see cref="NotSupportedException"/> when the library is missing.</summary>
    public static OpenJpegApi Get() => Instance.Value;

    // OPJ_CODEC_FORMAT and OPJ_COLOR_SPACE values.
    public const int CodecJ2K = 0;
    public const int CodecJP2 = 2;
    public const int ColorSpaceSrgb = 1;
    public const int ColorSpaceGray = 2;

    // sizeof(opj_dparameters_t) is 8,252 and sizeof(opj_cparameters_t) 18,720 in 2.5; the buffers leave room.
    public const int DecoderParametersBytes = 16 * 1024;
    public const int EncoderParametersBytes = 32 * 1024;

    // opj_cparameters_t fields we set (byte offsets).
    public const int CpDistoAllocOffset = 20;
    public const int TcpNumLayersOffset = 4796;
    public const int TcpRatesOffset = 4800;
    public const int NumResolutionOffset = 5600;
    public const int TcpMctOffset = 18698;

    // opj_image_t: x0, y0, x1, y1 (uint32), numcomps (uint32 at 16), color_space, comps (pointer at 24).
    public const int ImageNumCompsOffset = 16;
    public const int ImageCompsOffset = 24;
    // opj_image_comp_t (64 bytes): dx, dy, w, h, x0, y0, prec, bpp, sgnd, resno_decoded, factor, data (pointer at 48).
    public const int ComponentBytes = 64;
    public const int ComponentDataOffset = 48;

    public readonly delegate* unmanaged<nuint, int, nint> StreamCreate;
    public readonly delegate* unmanaged<nint, void> StreamDestroy;
    public readonly delegate* unmanaged<nint, nint, void> StreamSetReadFunction;
    public readonly delegate* unmanaged<nint, nint, void> StreamSetWriteFunction;
    public readonly delegate* unmanaged<nint, nint, void> StreamSetSkipFunction;
    public readonly delegate* unmanaged<nint, nint, void> StreamSetSeekFunction;
    public readonly delegate* unmanaged<nint, nint, nint, void> StreamSetUserData;
    public readonly delegate* unmanaged<nint, ulong, void> StreamSetUserDataLength;
    public readonly delegate* unmanaged<int, nint> CreateDecompress;
    public readonly delegate* unmanaged<int, nint> CreateCompress;
    public readonly delegate* unmanaged<nint, void> DestroyCodec;
    public readonly delegate* unmanaged<nint, nint, nint, int> SetErrorHandler;
    public readonly delegate* unmanaged<nint, void> SetDefaultDecoderParameters;
    public readonly delegate* unmanaged<nint, nint, int> SetupDecoder;
    public readonly delegate* unmanaged<nint, nint, nint*, int> ReadHeader;
    public readonly delegate* unmanaged<nint, nint, nint, int> DecodeImage;
    public readonly delegate* unmanaged<nint, nint, int> EndDecompress;
    public readonly delegate* unmanaged<nint, void> SetDefaultEncoderParameters;
    public readonly delegate* unmanaged<nint, nint, nint, int> SetupEncoder;
    public readonly delegate* unmanaged<nint, nint, nint, int> StartCompress;
    public readonly delegate* unmanaged<nint, nint, int> EncodeImage;
    public readonly delegate* unmanaged<nint, nint, int> EndCompress;
    public readonly delegate* unmanaged<uint, nint, int, nint> ImageCreate;
    public readonly delegate* unmanaged<nint, void> ImageDestroy;

    private OpenJpegApi()
    {
        var l = Library;
        StreamCreate = (delegate* unmanaged<nuint, int, nint>)l.Export("opj_stream_create");
        StreamDestroy = (delegate* unmanaged<nint, void>)l.Export("opj_stream_destroy");
        StreamSetReadFunction = (delegate* unmanaged<nint, nint, void>)l.Export("opj_stream_set_read_function");
        StreamSetWriteFunction = (delegate* unmanaged<nint, nint, void>)l.Export("opj_stream_set_write_function");
        StreamSetSkipFunction = (delegate* unmanaged<nint, nint, void>)l.Export("opj_stream_set_skip_function");
        StreamSetSeekFunction = (delegate* unmanaged<nint, nint, void>)l.Export("opj_stream_set_seek_function");
        StreamSetUserData = (delegate* unmanaged<nint, nint, nint, void>)l.Export("opj_stream_set_user_data");
        StreamSetUserDataLength = (delegate* unmanaged<nint, ulong, void>)l.Export("opj_stream_set_user_data_length");
        CreateDecompress = (delegate* unmanaged<int, nint>)l.Export("opj_create_decompress");
        CreateCompress = (delegate* unmanaged<int, nint>)l.Export("opj_create_compress");
        DestroyCodec = (delegate* unmanaged<nint, void>)l.Export("opj_destroy_codec");
        SetErrorHandler = (delegate* unmanaged<nint, nint, nint, int>)l.Export("opj_set_error_handler");
        SetDefaultDecoderParameters = (delegate* unmanaged<nint, void>)l.Export("opj_set_default_decoder_parameters");
        SetupDecoder = (delegate* unmanaged<nint, nint, int>)l.Export("opj_setup_decoder");
        ReadHeader = (delegate* unmanaged<nint, nint, nint*, int>)l.Export("opj_read_header");
        DecodeImage = (delegate* unmanaged<nint, nint, nint, int>)l.Export("opj_decode");
        EndDecompress = (delegate* unmanaged<nint, nint, int>)l.Export("opj_end_decompress");
        SetDefaultEncoderParameters = (delegate* unmanaged<nint, void>)l.Export("opj_set_default_encoder_parameters");
        SetupEncoder = (delegate* unmanaged<nint, nint, nint, int>)l.Export("opj_setup_encoder");
        StartCompress = (delegate* unmanaged<nint, nint, nint, int>)l.Export("opj_start_compress");
        EncodeImage = (delegate* unmanaged<nint, nint, int>)l.Export("opj_encode");
        EndCompress = (delegate* unmanaged<nint, nint, int>)l.Export("opj_end_compress");
        ImageCreate = (delegate* unmanaged<uint, nint, int, nint>)l.Export("opj_image_create");
        ImageDestroy = (delegate* unmanaged<nint, void>)l.Export("opj_image_destroy");
    }
}
