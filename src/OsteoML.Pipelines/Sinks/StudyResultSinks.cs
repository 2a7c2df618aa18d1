using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// The sinks of one run, written in the order given. The record of what is done (the results folder, the database)
/// goes last: a study whose QA image or DICOM push failed is then not marked done, and a rerun tries it again.
/// </summary>
public sealed class StudyResultSinks(IEnumerable<IStudyResultSink?> sinks) : IStudyResultSink
{
    private readonly IReadOnlyList<IStudyResultSink> _sinks = sinks.OfType<IStudyResultSink>().ToList();

    public IReadOnlyList<IStudyResultSink> Sinks => _sinks;

    public void Write(ScreenedStudy screened)
    {
        foreach (var sink in _sinks) sink.Write(screened);
    }

    public void Complete()
    {
        foreach (var sink in _sinks) sink.Complete();
    }

    public void Dispose()
    {
        foreach (var sink in _sinks) sink.Dispose();
    }
}
