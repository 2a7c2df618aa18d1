using OsteoML.Dicom.Web;
using OsteoML.Pipelines.DicomOutputs;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Cli.Commands;

/// <summary>
/// What <c>--dicom-out DIR</c> and <c>--push URL</c> ask of screen and batch: each study's SR, SEG and QA capture written
/// (to DIR, or to a temporary folder when only pushing) and sent with STOW-RS. Thread-safe (batch writes in parallel).
/// No patient data is printed: lines name series UIDs and files.
/// </summary>
internal sealed class DicomSink : IDisposable
{
    private readonly DicomResultWriter _writer;
    private readonly Screener _screener;
    private readonly DicomWebClient? _client;
    private readonly string? _temporary;

    private DicomSink(Screener screener, string directory, DicomWebClient? client, string? temporary)
    {
        _screener = screener;
        _writer = DicomResultWriter.For(screener, directory);
        _client = client;
        _temporary = temporary;
    }

    /// <summary>Null when neither option was given.</summary>
    public static DicomSink? Create(Screener screener, DirectoryInfo? directory, Uri? push)
    {
        if (directory is null && push is null) return null;
        var temporary = directory is null ? Directory.CreateTempSubdirectory("osteoml-dicom-").FullName : null;
        var client = push is null ? null : new DicomWebClient(push, DicomWebCredentials.FromEnvironment());
        return new DicomSink(screener, directory?.FullName ?? temporary!, client, temporary);
    }

    public void Write(CliContext context, StudyRow study, StudyResult result, bool quiet)
    {
        var files = _writer.Write(_screener, study, result, out var skipped);
        if (skipped is not null && result.Status != StudyResult.Failed)
            context.Error.WriteLine($"notice: series {study.SeriesInstanceUid}: no DICOM objects: {skipped}");
        if (!quiet && _temporary is null)
            foreach (var file in files) context.Out.WriteLine($"wrote {file}");
        if (_client is null || files.Count == 0) return;
        _client.Store(files);
        if (!quiet) context.Out.WriteLine($"sent {files.Count} object(s) of series {study.SeriesInstanceUid} to {_client.BaseUri}");
    }

    public void Dispose()
    {
        _client?.Dispose();
        if (_temporary is not null && Directory.Exists(_temporary)) Directory.Delete(_temporary, recursive: true);
    }
}
