using OsteoML.Domain;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// The QA image (sagittal + coronal with masks, ROI, per-level HU and BMD) of every study that has one, as PNG: to one
/// file (<see cref="ToFile"/>; several studies get -1, -2 … suffixes) or one file per series in a folder
/// (<see cref="ToFolder"/>, named by series UID — never by patient). Written to a temporary name and renamed, so a
/// killed run leaves no half image.
/// </summary>
public sealed class QaImageSink : IStudyResultSink
{
    private readonly Func<ScreenedStudy, int, string> _path;
    private readonly Action<string>? _wrote;
    private int _count;

    private QaImageSink(Func<ScreenedStudy, int, string> path, Action<string>? wrote) => (_path, _wrote) = (path, wrote);

    /// <param name="studies">How many studies the run has: with more than one, each gets a numbered file.</param>
    public static QaImageSink ToFile(string path, int studies, Action<string>? wrote = null) =>
        new((_, index) => studies == 1 ? path : Path.ChangeExtension(path, null) + $"-{index}.png", wrote);

    public static QaImageSink ToFolder(string directory, Action<string>? wrote = null)
    {
        Directory.CreateDirectory(directory);
        return new((s, _) => Path.Combine(directory, s.Study.SeriesInstanceUid + ".png"), wrote);
    }

    public void Write(ScreenedStudy screened)
    {
        var index = Interlocked.Increment(ref _count);
        if (screened.Result.Status == StudyStatus.Failed || screened.Volume is null || screened.Segmentation is null) return;
        var path = _path(screened, index);
        AtomicFile.WriteAllBytes(path, QaImage.Render(screened.Volume, screened.Segmentation, screened.Result));
        _wrote?.Invoke(path);
    }

    public void Complete() { }

    public void Dispose() { }
}
