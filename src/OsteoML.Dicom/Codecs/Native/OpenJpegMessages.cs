namespace OsteoML.Dicom.Codecs.Native;

/// <summary>The error messages OpenJPEG reports through its callback during one call, for a one-line failure.</summary>
internal sealed class OpenJpegMessages
{
    private readonly List<string> _messages = [];

    public void Add(string? message)
    {
        // A corrupt stream can report thousands of errors; the first few say what went wrong.
        if (!string.IsNullOrWhiteSpace(message) && _messages.Count < 3)
            _messages.Add(message.Trim());
    }

    public DicomDataException Failure(string what) =>
        new(_messages.Count == 0 ? $"OpenJPEG: {what}." : $"OpenJPEG: {what}: {string.Join("; ", _messages)}.");
}
