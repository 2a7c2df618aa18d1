using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OsteoML.Dicom.Web;

/// <summary>
/// A DICOMweb client for the services this product needs (PS3.18): STOW-RS (<see cref="Store"/>), QIDO-RS
/// (<see cref="SearchStudies"/>) and WADO-RS (<see cref="RetrieveStudy"/>).
/// Synchronous calls, one HttpClient per instance; thread-safe.
/// </summary>
public sealed class DicomWebClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="baseUri">The DICOMweb root, e.g. <c>http://pacs:8042/dicom-web</c>.</param>
    public DicomWebClient(Uri baseUri, DicomWebCredentials? credentials, HttpMessageHandler? handler = null)
    {
        BaseUri = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromMinutes(5);
        if (credentials is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}")));
    }

    public Uri BaseUri { get; }

    /// <summary>
    /// STOW-RS (PS3.18 §10.5): POST <c>{root}/studies</c>, the files as one multipart/related request of
    /// application/dicom parts. Throws an <see cref="IOException"/> naming the status when the server refuses any instance
    /// (an HTTP error, or a Failed SOP Sequence in the response).
    /// </summary>
    public void Store(IReadOnlyList<string> files)
    {
        if (files.Count == 0) return;
        var boundary = "osteoml-" + Guid.NewGuid().ToString("N");
        using var content = new MultipartContent("related", boundary);
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var file in files)
        {
            var part = new ByteArrayContent(File.ReadAllBytes(file));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "studies")) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = _http.Send(request);
        var body = ReadBody(response);
        if (!response.IsSuccessStatusCode)
            throw new IOException($"STOW-RS to {BaseUri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length > 0 ? ": " + OneLine(body) : "")}");
        if (FailedInstances(body) is > 0 and var failed)
            throw new IOException($"STOW-RS to {BaseUri}: the server refused {failed} of {files.Count} instance(s).");
    }

    /// <summary>
    /// QIDO-RS (PS3.18 §10.6): GET <c>{root}/studies?…</c> with the given matching keys (e.g. <c>ModalitiesInStudy=CT</c>);
    /// returns the studies' UIDs, dates, modalities and instance counts (patient attributes are not asked for).
    /// </summary>
    public IReadOnlyList<DicomWebStudy> SearchStudies(IReadOnlyDictionary<string, string> match)
    {
        var query = string.Join('&', match.Select(m => $"{Uri.EscapeDataString(m.Key)}={Uri.EscapeDataString(m.Value)}")
            .Append("includefield=00201208"));
        return Search("studies?" + query, study => new DicomWebStudy(
            Value(study, "0020000D") ?? "",
            Value(study, "00080020"),
            Values(study, "00080061"),
            int.TryParse(Value(study, "00201208"), out var n) ? n : null));
    }

    /// <summary>A QIDO-RS GET returning DICOM JSON: one <typeparamref name="T"/> per object of the array.</summary>
    private IReadOnlyList<T> Search<T>(string pathAndQuery, Func<JsonElement, T> read)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = Send(request, "QIDO-RS");
        var body = ReadBody(response);
        if (body.Trim().Length == 0) return [];
        using var json = JsonDocument.Parse(body);
        return json.RootElement.EnumerateArray().Select(read).ToList();
    }

    private static string[] Values(JsonElement e, string tag) =>
        e.TryGetProperty(tag, out var element) && element.TryGetProperty("Value", out var values)
            ? values.EnumerateArray().Select(v => v.ToString()).ToArray() : [];

    private static string? Value(JsonElement e, string tag) => Values(e, tag).FirstOrDefault();

    /// <summary>
    /// QIDO-RS (PS3.18 §10.6): GET <c>{root}/studies/{uid}/series</c>: each series' UID, modality and instance count, so a
    /// caller can pick the CT series and leave derived objects (SR, SEG, secondary captures) alone.
    /// </summary>
    public IReadOnlyList<DicomWebSeries> SearchSeries(string studyInstanceUid)
    {
        RequireUid(studyInstanceUid, nameof(studyInstanceUid));
        return Search($"studies/{studyInstanceUid}/series?includefield=00201209", series => new DicomWebSeries(
            Value(series, "0020000E") ?? "",
            Value(series, "00080060"),
            int.TryParse(Value(series, "00201209"), out var n) ? n : null));
    }

    /// <summary>
    /// WADO-RS (PS3.18 §10.4): GET <c>{root}/studies/{uid}</c> as multipart/related application/dicom; each instance is saved
    /// as it came (byte for byte) to <c>folder/&lt;SOPInstanceUID&gt;.dcm</c>. Returns the files.
    /// </summary>
    public IReadOnlyList<string> RetrieveStudy(string studyInstanceUid, string folder)
    {
        RequireUid(studyInstanceUid, nameof(studyInstanceUid));
        return Retrieve($"studies/{studyInstanceUid}", folder);
    }

    /// <summary>WADO-RS of one series (<c>{root}/studies/{study}/series/{series}</c>), saved as <see cref="RetrieveStudy"/> does.</summary>
    public IReadOnlyList<string> RetrieveSeries(string studyInstanceUid, string seriesInstanceUid, string folder)
    {
        RequireUid(studyInstanceUid, nameof(studyInstanceUid));
        RequireUid(seriesInstanceUid, nameof(seriesInstanceUid));
        return Retrieve($"studies/{studyInstanceUid}/series/{seriesInstanceUid}", folder);
    }

    private IReadOnlyList<string> Retrieve(string path, string folder)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, path));
        request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"application/dicom\"");
        using var response = Send(request, "WADO-RS");
        var boundary = response.Content.Headers.ContentType?.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value?.Trim('"')
                       ?? throw new InvalidDataException($"WADO-RS from {BaseUri}: the response is not multipart/related.");
        using var stream = response.Content.ReadAsStream();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var part in MultipartRelated.Parts(memory.ToArray(), boundary))
        {
            var sop = DicomFile.Open(new MemoryStream(part), new IO.DicomReadOptions { StopAtPixelData = true }).Dataset.GetString(DicomTag.SOPInstanceUID);
            if (!DicomUID.IsValid(sop))
                throw new InvalidDataException($"WADO-RS from {BaseUri}: an instance with an invalid SOP Instance UID.");
            var file = Path.Combine(folder, sop + ".dcm");
            File.WriteAllBytes(file, part);
            files.Add(file);
        }
        return files;
    }

    private static void RequireUid(string uid, string parameter)
    {
        if (!DicomUID.IsValid(uid))
            throw new ArgumentException($"'{DicomValues.Printable(uid)}' is not a UID.", parameter);
    }

    private HttpResponseMessage Send(HttpRequestMessage request, string service)
    {
        var response = _http.Send(request);
        if (response.IsSuccessStatusCode) return response;
        var status = $"{service} {request.RequestUri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        response.Dispose();
        throw new IOException(status);
    }

    private static string ReadBody(HttpResponseMessage response)
    {
        using var stream = response.Content.ReadAsStream();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Items of the Failed SOP Sequence (0008,1198) of a DICOM JSON response (PS3.18 §F.2); 0 when none or not JSON.</summary>
    private static int FailedInstances(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("00081198", out var failed)
                   && failed.TryGetProperty("Value", out var items) ? items.GetArrayLength() : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private static string OneLine(string text) => DicomValues.Printable(text.ReplaceLineEndings(" "));

    public void Dispose() => _http.Dispose();
}
