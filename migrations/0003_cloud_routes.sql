-- Why: Meta's webhook verification handshake (GET /webhooks/whatsapp) names no phone number, only the verify token we chose; the server must try the Cloud API channels of every tenant to find whose token it is, before any tenant is known.

CREATE FUNCTION sellify_cloud_channels()
RETURNS TABLE (tenant_id text, channel_id text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET app.owner_access = 'on'
AS $$
  SELECT c.tenant_id, c.id
  FROM public.channels c
  WHERE c.transport = 'cloud' AND c.route_key IS NOT NULL
  ORDER BY c.created_at
  LIMIT 1000
$$;

REVOKE ALL ON FUNCTION sellify_cloud_channels() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sellify_cloud_channels() TO sellify_app;
