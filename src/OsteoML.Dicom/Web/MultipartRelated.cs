namespace OsteoML.Dicom.Web;

/// <summary>The bodies of a multipart/related response (RFC 2387, PS3.18 §8.7.1): split at the boundary, part headers dropped.</summary>
internal static class MultipartRelated
{
    public static List<byte[]> Parts(byte[] body, string boundary)
    {
        var delimiter = System.Text.Encoding.ASCII.GetBytes("--" + boundary);
        var parts = new List<byte[]>();
        var span = body.AsSpan();
        var start = span.IndexOf(delimiter);
        while (start >= 0)
        {
            var afterDelimiter = start + delimiter.Length;
            // "--boundary--" closes the body.
            if (span.Length >= afterDelimiter + 2 && span[afterDelimiter] == '-' && span[afterDelimiter + 1] == '-')
                break;
            var next = span[afterDelimiter..].IndexOf(delimiter);
            if (next < 0)
                throw new InvalidDataException("multipart/related body without its closing boundary.");
            var part = span.Slice(afterDelimiter, next);
            var headerEnd = part.IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
                throw new InvalidDataException("multipart/related part without a header end.");
            var content = part[(headerEnd + 4)..];
            // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
            if (content.EndsWith("\r\n"u8))
                content = content[..^2];
            parts.Add(content.ToArray());
            start = afterDelimiter + next;
        }
        return parts;
    }
}
