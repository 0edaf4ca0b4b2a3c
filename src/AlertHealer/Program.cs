using AlertHealer.Audit;
using AlertHealer.Auth;
using AlertHealer.Demo;
using AlertHealer.Health;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Security;
using AlertHealer.Storage;
using AlertHealer.Webhooks;

var builder = WebApplication.CreateBuilder(DemoMode.Strip(args, out var demo));
builder.AddDemoMode(demo);
builder.Services.AddSingleton(TimeProvider.System);
builder.AddApi();
builder.AddEdgeProtection();
builder.AddTokenAuth();
builder.AddMetrics();
builder.AddStorage();
builder.AddKubernetes();
builder.AddRemediation();

var app = builder.Build();
app.UseEdgeProtection();
app.UseApi();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapHealth();
app.MapWebhooks();
app.MapRemediation();
app.MapPolicies();
app.MapAudit();
app.MapMetrics();
app.AnnounceDemoMode(demo);
app.Run();

public partial class Program;
