using System.Text;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// Reading an append-only JSON lines record (results.jsonl, watch.jsonl) back after a restart. Each line was written whole
/// and flushed to disk, so a kill leaves at most a torn last line; that line, and any line the reader refuses (a disk
/// error, an edit), is named by file and line and cut out of the file — under the caller's folder lock — so it is
/// reported once, and what it recorded is simply done again.
/// </summary>
internal static class JsonLinesFile
{
    /// <summary>What <see cref="Load"/> does with one complete line.</summary>
    /// <param name="Keep">Leave the line in the file.</param>
    /// <param name="Problem">Why a dropped line is not a record (a warning); null drops it quietly (a repeat).</param>
    public readonly record struct Verdict(bool Keep, string? Problem = null);

    /// <summary>
    /// Reads <paramref name="file"/> (opened read/write) from the start, hands each complete line to <paramref name="read"/>,
    /// rewrites the file without the lines dropped, and leaves it positioned at its end for appending.
    /// </summary>
    /// <param name="what">What a line is, for the warning ("a result line").</param>
    /// <param name="consequence">What happens to the dropped line's subject ("its series will be screened again").</param>
    public static void Load(FileStream file, string path, Func<string, Verdict> read, List<string> warnings, string what, string consequence)
    {
        file.Position = 0;
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        var kept = new MemoryStream();
        var lineNumber = 0;
        var start = 0;
        while (start < bytes.Length)
        {
            lineNumber++;
            var newline = Array.IndexOf(bytes, (byte)'\n', start);
            var end = newline < 0 ? bytes.Length : newline;
            var text = Encoding.UTF8.GetString(bytes, start, end - start);
            if (newline < 0)
                warnings.Add($"{path}:{lineNumber}: torn last line (the run was interrupted while writing it); dropped, {consequence}");
            else if (text.Trim().Length > 0)
            {
                var verdict = read(text);
                if (verdict.Keep)
                    kept.Write(bytes, start, end - start + 1);
                else if (verdict.Problem is { } problem)
                    warnings.Add($"{path}:{lineNumber}: not {what} ({problem}); dropped, {consequence}");
            }
            start = end + 1;
        }
        if (kept.Length != bytes.Length) Replace(file, kept.GetBuffer().AsSpan(0, (int)kept.Length));
        file.Position = file.Length;
    }

    /// <summary>Replaces the whole content and flushes it to disk (the caller holds the folder's lock).</summary>
    public static void Replace(FileStream file, ReadOnlySpan<byte> content)
    {
        file.SetLength(0);
        file.Write(content);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Appends one line whole and flushes it to disk before returning: once this returns, the record survives a power cut.</summary>
    public static void Append(FileStream file, string line)
    {
        file.Write(Encoding.UTF8.GetBytes(line + "\n"));
        file.Flush(flushToDisk: true);
    }
}
