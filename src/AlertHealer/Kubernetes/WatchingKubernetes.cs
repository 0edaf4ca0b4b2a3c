using k8s;
using k8s.Autorest;

namespace AlertHealer.Kubernetes;

// KubernetesClient.Aot's client, except that a watch (a list call with watch=true) keeps its body
// unread: the events are read as they come by PodWatch, not deserialized as the list type.
public sealed class WatchingKubernetes(KubernetesClientConfiguration config, params DelegatingHandler[] handlers)
    : k8s.Kubernetes(config, handlers)
{
    protected override Task<HttpOperationResponse<T>> CreateResultAsync<T>(
        HttpRequestMessage httpRequest, HttpResponseMessage httpResponse, bool? watch, CancellationToken cancellationToken) =>
        watch == true
            ? Task.FromResult(new HttpOperationResponse<T> { Request = httpRequest, Response = httpResponse })
            : base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken);
}
