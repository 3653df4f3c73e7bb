# Container image for deploy/k8s: docker build -t orleans-loki .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo/Orleans.Loki.Silo.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
EXPOSE 3100 11111 30000
ENTRYPOINT ["dotnet", "orleans-loki.dll"]
CMD ["-target=all", "-common.path-prefix=/data"]
