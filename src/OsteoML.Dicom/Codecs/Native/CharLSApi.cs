namespace OsteoML.Dicom.Codecs.Native;

/// <summary>
/// The part of CharLS 2.x's C API (charls_jpegls_decoder.h / charls_jpegls_encoder.h) the JPEG-LS codec calls,
/// resolved from libcharls.so.2 on first use. Every function returns a charls_jpegls_errc (0 = success).
/// </summary>
internal sealed unsafe class CharLSApi
{
    public static readonly NativeCodecLibrary Library = new("CharLS", "libcharls2", "libcharls.so.2", "libcharls.so", "charls");
    private static readonly Lazy<CharLSApi> Instance = new(() => new CharLSApi());

    public static CharLSApi Get() => Instance.Value;

    public const int InterleaveNone = 0;
    public const int InterleaveSample = 2;

    /// <summary>charls_frame_info: width, height (uint32), bits_per_sample, component_count (int32).</summary>
    public struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    public readonly delegate* unmanaged<nint> DecoderCreate;
    public readonly delegate* unmanaged<nint, void> DecoderDestroy;
    public readonly delegate* unmanaged<nint, byte*, nuint, int> DecoderSetSourceBuffer;
    public readonly delegate* unmanaged<nint, int> DecoderReadHeader;
    public readonly delegate* unmanaged<nint, FrameInfo*, int> DecoderGetFrameInfo;
    public readonly delegate* unmanaged<nint, int*, int> DecoderGetInterleaveMode;
    public readonly delegate* unmanaged<nint, uint, nuint*, int> DecoderGetDestinationSize;
    public readonly delegate* unmanaged<nint, byte*, nuint, uint, int> DecoderDecodeToBuffer;
    public readonly delegate* unmanaged<nint> EncoderCreate;
    public readonly delegate* unmanaged<nint, void> EncoderDestroy;
    public readonly delegate* unmanaged<nint, FrameInfo*, int> EncoderSetFrameInfo;
    public readonly delegate* unmanaged<nint, int, int> EncoderSetNearLossless;
    public readonly delegate* unmanaged<nint, int, int> EncoderSetInterleaveMode;
    public readonly delegate* unmanaged<nint, nuint*, int> EncoderGetEstimatedDestinationSize;
    public readonly delegate* unmanaged<nint, byte*, nuint, int> EncoderSetDestinationBuffer;
    public readonly delegate* unmanaged<nint, byte*, nuint, uint, int> EncoderEncodeFromBuffer;
    public readonly delegate* unmanaged<nint, nuint*, int> EncoderGetBytesWritten;
    public readonly delegate* unmanaged<int, byte*> GetErrorMessage;

    private CharLSApi()
    {
        var l = Library;
        DecoderCreate = (delegate* unmanaged<nint>)l.Export("charls_jpegls_decoder_create");
        DecoderDestroy = (delegate* unmanaged<nint, void>)l.Export("charls_jpegls_decoder_destroy");
        DecoderSetSourceBuffer = (delegate* unmanaged<nint, byte*, nuint, int>)l.Export("charls_jpegls_decoder_set_source_buffer");
        DecoderReadHeader = (delegate* unmanaged<nint, int>)l.Export("charls_jpegls_decoder_read_header");
        DecoderGetFrameInfo = (delegate* unmanaged<nint, FrameInfo*, int>)l.Export("charls_jpegls_decoder_get_frame_info");
        DecoderGetInterleaveMode = (delegate* unmanaged<nint, int*, int>)l.Export("charls_jpegls_decoder_get_interleave_mode");
        DecoderGetDestinationSize = (delegate* unmanaged<nint, uint, nuint*, int>)l.Export("charls_jpegls_decoder_get_destination_size");
        DecoderDecodeToBuffer = (delegate* unmanaged<nint, byte*, nuint, uint, int>)l.Export("charls_jpegls_decoder_decode_to_buffer");
        EncoderCreate = (delegate* unmanaged<nint>)l.Export("charls_jpegls_encoder_create");
        EncoderDestroy = (delegate* unmanaged<nint, void>)l.Export("charls_jpegls_encoder_destroy");
        EncoderSetFrameInfo = (delegate* unmanaged<nint, FrameInfo*, int>)l.Export("charls_jpegls_encoder_set_frame_info");
        EncoderSetNearLossless = (delegate* unmanaged<nint, int, int>)l.Export("charls_jpegls_encoder_set_near_lossless");
        EncoderSetInterleaveMode = (delegate* unmanaged<nint, int, int>)l.Export("charls_jpegls_encoder_set_interleave_mode");
        EncoderGetEstimatedDestinationSize = (delegate* unmanaged<nint, nuint*, int>)l.Export("charls_jpegls_encoder_get_estimated_destination_size");
        EncoderSetDestinationBuffer = (delegate* unmanaged<nint, byte*, nuint, int>)l.Export("charls_jpegls_encoder_set_destination_buffer");
        EncoderEncodeFromBuffer = (delegate* unmanaged<nint, byte*, nuint, uint, int>)l.Export("charls_jpegls_encoder_encode_from_buffer");
        EncoderGetBytesWritten = (delegate* unmanaged<nint, nuint*, int>)l.Export("charls_jpegls_encoder_get_bytes_written");
        GetErrorMessage = (delegate* unmanaged<int, byte*>)l.Export("charls_get_error_message");
    }

    /// <summary>Throws a one-line error with CharLS's own message when <paramref name="code"/> is not success.</summary>
    public void Check(int code, string what)
    {
        if (code != 0)
            throw new DicomDataException($"CharLS: {what}: {System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)GetErrorMessage(code))} (error {code}).");
    }
}
