using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Interactive;

/// <summary>
/// Registers OsteoML's text/html formatters with .NET Interactive, so that <c>display(…)</c> in a Polyglot notebook
/// shows a <see cref="DataFrame"/> and a <see cref="StudyResult"/> as tables. Without them the kernel's default
/// formatter lists a DataFrame as an enumerable of row objects, and the DataFrame extension package that would
/// otherwise format it is not served by the package source this repository restores from. Call <see cref="Register"/> once in a notebook's first cell.
/// </summary>
public static class OsteoMLFormatters
{
    /// <summary>The HTML MIME type the formatters are registered for.</summary>
    public const string HtmlMimeType = "text/html";

    /// <summary>At most this many rows of a DataFrame are shown; the rest are counted in a "… n more rows" line.
    /// A notebook's output is rendered whole by the editor, so a 10 000-row table would make it sluggish.</summary>
    public static int MaxRows { get; set; } = 25;

    /// <summary>Registers the formatters with <see cref="Formatter"/> (process-wide). Calling it again, for example after
    /// the kernel's formatters were reset or from a second notebook in the same kernel, registers the same formatters again.</summary>
    public static void Register()
    {
        Formatter.Register<DataFrame>((frame, writer) => DataFrameHtml.Write(frame, writer, MaxRows), HtmlMimeType);
        Formatter.Register<StudyResult>((result, writer) => StudyResultHtml.Write(result, writer), HtmlMimeType);
    }
}
