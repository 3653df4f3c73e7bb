namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>A template parse or execution failure; turned into <c>__error__="TemplateFormatErr"</c> by the stages.</summary>
internal sealed class TemplateException(string message) : Exception(message);
