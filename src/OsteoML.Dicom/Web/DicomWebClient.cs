using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OsteoML.Dicom.Web;

/// <summary>
/// A DICOMweb client for the services this product needs (PS3.18): STOW-RS (store instances, <see cref="Store"/>).
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
