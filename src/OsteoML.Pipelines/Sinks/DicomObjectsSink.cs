using OsteoML.Dicom.Web;
using OsteoML.Pipelines.DicomOutputs;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// Each study's SR, SEG and QA capture (<see cref="DicomResultWriter"/>) written to a folder — or to a temporary one when
/// they are only pushed — and sent with STOW-RS to a DICOMweb server. Thread-safe (batch writes in parallel). Notices
/// name series UIDs and files, never patient data.
/// </summary>
public sealed class DicomObjectsSink : IStudyResultSink
{
    private readonly DicomResultWriter _writer;
    private readonly DicomWebClient? _client;
    private readonly string? _temporary;
    private readonly Action<string> _notice;
    private readonly Action<string>? _wrote;

    private DicomObjectsSink(DicomResultWriter writer, DicomWebClient? client, string? temporary, Action<string> notice, Action<string>? wrote)
    {
        (_writer, _client, _temporary, _notice, _wrote) = (writer, client, temporary, notice, wrote);
    }

    /// <summary>Null when neither a folder nor a DICOMweb root is given.</summary>
    /// <param name="notice">Why a study got no objects (a NIfTI input, a failed study).</param>
    /// <param name="wrote">Each file written to <paramref name="directory"/> and each push, for a progress line; null for quiet.</param>
    public static DicomObjectsSink? Create(Screener screener, string? directory, Uri? push, Action<string> notice, Action<string>? wrote = null)
    {
        if (directory is null && push is null) return null;
        var temporary = directory is null ? Directory.CreateTempSubdirectory("osteoml-dicom-").FullName : null;
        var client = push is null ? null : new DicomWebClient(push, DicomWebCredentials.FromEnvironment());
        return new DicomObjectsSink(DicomResultWriter.For(screener, directory ?? temporary!), client, temporary, notice, wrote);
    }

    public void Write(ScreenedStudy screened)
    {
        var files = _writer.Write(screened, out var skipped);
        var series = screened.Study.SeriesInstanceUid;
        if (skipped is not null && screened.Result.Status != StudyStatus.Failed) _notice($"series {series}: no DICOM objects: {skipped}");
        if (_temporary is null)
            foreach (var file in files) _wrote?.Invoke($"wrote {file}");
        if (_client is null || files.Count == 0) return;
        _client.Store(files);
        _wrote?.Invoke($"sent {files.Count} object(s) of series {series} to {_client.BaseUri}");
    }

    public void Complete() { }

    public void Dispose()
    {
        _client?.Dispose();
        if (_temporary is not null && Directory.Exists(_temporary)) Directory.Delete(_temporary, recursive: true);
    }
}
