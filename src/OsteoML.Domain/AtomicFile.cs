using System.Text;

namespace OsteoML.Domain;

/// <summary>
/// Replaces a file so that a reader — another process, a rerun after a crash or power loss — sees the old content or the
/// new, never half of it: the content goes to a temporary file beside the target (same folder, so the rename cannot cross
/// file systems), is flushed to disk, and is renamed over the target. The temporary name is unique per call, so parallel
/// writers of one path never share a temporary file, and ends in <c>.tmp</c>, the suffix folder walkers (bundle seals)
/// leave out; it is deleted when writing fails.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes what <paramref name="write"/> puts in the stream, then renames it over <paramref name="path"/>.</summary>
    /// <param name="flushToDisk">False where a reader must never see half a file but surviving a power loss is not worth a
    /// disk flush per file (a DICOM file saved over itself, the thousands of slices a synthetic cohort writes).</param>
    public static void Write(string path, Action<Stream> write, bool flushToDisk = true)
    {
        var temporary = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); }
            catch (IOException) { }         // the original failure is the one to report
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes, bool flushToDisk = true) => Write(path, stream => stream.Write(bytes), flushToDisk);

    /// <summary>UTF-8 without a byte-order mark, as <see cref="File.WriteAllText(string, string)"/> writes it.</summary>
    public static void WriteAllText(string path, string text, bool flushToDisk = true) => WriteAllBytes(path, Utf8.GetBytes(text), flushToDisk);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static string TemporaryPath(string path) =>
        $"{Path.GetFullPath(path)}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}.tmp";
}
