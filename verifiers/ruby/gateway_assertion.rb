# frozen_string_literal: true

# Verifies the edge-auth-gateway's X-Auth-Assertion in a Ruby (Rack) app: Rails, Sinatra, Hanami,
# Roda, a bare config.ru. Paste this file into your app. It needs the `jwt` gem >= 2.5 (Debian:
# ruby-jwt; gem: `gem install jwt`, or `gem 'jwt'` in the Gemfile) and Ruby's openssl and json.
#
#   require_relative 'gateway_assertion'
#
#   # Sinatra / config.ru: every request of the app, before any route, static file or 404
#   use GatewayAssertion::Middleware,
#       issuer: 'https://app.example.com',              # the gateway's own origin
#       audience: 'http://10.0.0.5:8080',               # ASSERTION_AUDIENCE, or the origin of ORIGIN_URL
#       jwks_url: 'https://app.example.com/.well-known/edge-auth-gateway/jwks.json'
#       # or, with no network call: jwks: '{"keys":[...]}' (the pasted JWKS, JSON or a Hash)
#
#   # Rails (config/application.rb): first in the stack, before Rails serves anything
#   config.middleware.insert_before 0, GatewayAssertion::Middleware, issuer: ..., audience: ..., jwks_url: ...
#
# A request passes only if its assertion is signed (ES256) by a key of the JWKS, by this gateway
# (`iss`), for this origin (`aud`), unexpired (`exp`, and `iat` not in the future, with `leeway`
# seconds, default 5), and for this very request: `req` is base64url(SHA-256("<METHOD>
# <request-target>")), the request-target as the gateway sent it (percent-encoded, with the query).
# That is REQUEST_URI under Puma, Unicorn, Passenger and Falcon; without it, SCRIPT_NAME + PATH_INFO
# + ?QUERY_STRING, which Rack keeps undecoded. Anything else gets 401
# {"error":"invalid_assertion","reason":...} (the same reasons as the Node, Python and PHP verifiers),
# and the app never runs. The app reads the identity from env['gateway.identity'] (Rails:
# request.env['gateway.identity']): status ('active' | 'pending' | 'signed-out'), user_id,
# session_id, org_id, org_role, org_slug, org_permissions, claims.
#
# `exempt: ->(env) { env['PATH_INFO'] == '/up' }` lets a request through unverified (a load
# balancer's health check that does not come through the gateway); it then has no identity.
# The JWKS URL is fetched with a 2 s timeout, cached 5 minutes, and fetched again for an unknown
# kid at most once per 30 s (refresh_cooldown).
require 'base64'
require 'digest'
require 'json'
require 'net/http'
require 'openssl'
require 'uri'
require 'jwt'

module GatewayAssertion
  HEADER_ENV = 'HTTP_X_AUTH_ASSERTION'
  IDENTITY_ENV = 'gateway.identity'
  REQUIRED_CLAIMS = %w[iss aud iat exp sts req].freeze

  # The assertion does not vouch for this request; #reason says why (missing, malformed, algorithm,
  # unknown_kid, jwks_unavailable, signature, issuer, audience, expired, not_yet_valid, claims, binding).
  class Rejected < StandardError
    attr_reader :reason

    def initialize(reason, detail = nil)
      super(detail ? "#{reason}: #{detail}" : reason)
      @reason = reason
    end
  end

  # The `req` claim: base64url(SHA-256 of "<METHOD> <target>"), no padding.
  def self.binding(method, target)
    Base64.urlsafe_encode64(Digest::SHA256.digest("#{method} #{target}"), padding: false)
  end

  # The request-target as the gateway sent it, from a Rack env (see the top of this file).
  def self.raw_target(env)
    uri = env['REQUEST_URI']
    if uri.is_a?(String) && !uri.empty?
      return uri if uri.start_with?('/')

      # WEBrick gives an absolute URI: keep its path and query as sent.
      match = %r{\Ahttps?://[^/?#]*(?<rest>[/?].*)?\z}.match(uri)
      return match[:rest] || '/' if match
    end
    path = "#{env['SCRIPT_NAME']}#{env['PATH_INFO']}"
    path = '/' if path.empty?
    query = env['QUERY_STRING'].to_s
    query.empty? ? path : "#{path}?#{query}"
  end

  # What the app reads: status, user and session ids, organization, and all the claims.
  def self.identity(claims)
    {
      'status' => claims['sts'],
      'user_id' => claims['sub'],
      'session_id' => claims['sid'],
      'org_id' => claims['org_id'],
      'org_role' => claims['org_role'],
      'org_slug' => claims['org_slug'],
      'org_permissions' => claims['org_permissions'] || [],
      'claims' => claims
    }
  end

  # The public keys by kid: a pasted JWKS, or a JWKS URL cached `cache_seconds` and fetched again
  # for an unknown kid at most once per `refresh_cooldown` seconds.
  class Keys
    def initialize(jwks: nil, jwks_url: nil, cache_seconds: 300, refresh_cooldown: 30, timeout: 2)
      raise ArgumentError, 'GatewayAssertion: give jwks (the pasted JWKS) or jwks_url' if jwks.nil? && (jwks_url.nil? || jwks_url.empty?)

      @url = jwks.nil? ? URI(jwks_url) : nil
      @cache_seconds = cache_seconds
      @cooldown = refresh_cooldown
      @timeout = timeout
      @lock = Mutex.new
      @keys = jwks.nil? ? nil : parse(jwks.is_a?(String) ? JSON.parse(jwks) : jwks)
      @fetched_at = nil
    end

    def get(kid)
      return @keys[kid] || raise(Rejected.new('unknown_kid', kid)) if @url.nil?

      @lock.synchronize do
        now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        age = @fetched_at && now - @fetched_at
        due = if @keys.nil?
                age.nil? || age >= @cooldown
              else
                age >= @cache_seconds || (!@keys.key?(kid) && age >= @cooldown)
              end
        if due
          begin
            fetch(now)
          rescue StandardError => e
            raise Rejected.new('jwks_unavailable', e.message) if @keys.nil?
          end
        end
        raise Rejected.new('jwks_unavailable', 'the JWKS could not be fetched') if @keys.nil?

        @keys[kid] || raise(Rejected.new('unknown_kid', kid))
      end
    end

    private

    # Only EC P-256 keys for ES256 (and signing): nothing else may verify an assertion.
    def parse(jwks)
      keys = {}
      Array((jwks || {})['keys'] || (jwks || {})[:keys]).each do |jwk|
        next unless jwk.is_a?(Hash)

        jwk = jwk.transform_keys(&:to_s)
        next unless jwk['kty'] == 'EC' && jwk['crv'] == 'P-256' && jwk['kid'].is_a?(String)
        next unless (jwk['alg'] || 'ES256') == 'ES256' && (jwk['use'] || 'sig') == 'sig'

        keys[jwk['kid']] = JWT::JWK.import(jwk.slice('kty', 'crv', 'x', 'y', 'kid')).keypair
      end
      keys
    end

    def fetch(now)
      @fetched_at = now
      response = Net::HTTP.start(@url.host, @url.port, use_ssl: @url.scheme == 'https', open_timeout: @timeout, read_timeout: @timeout) do |http|
        http.request(Net::HTTP::Get.new(@url, 'accept' => 'application/json'))
      end
      raise "JWKS answered #{response.code}" unless response.code == '200'

      @keys = parse(JSON.parse(response.body))
    end
  end

  class Verifier
    def initialize(issuer:, audience:, jwks: nil, jwks_url: nil, leeway: 5, cache_seconds: 300, refresh_cooldown: 30, timeout: 2)
      raise ArgumentError, 'GatewayAssertion: issuer and audience are required' if issuer.to_s.empty? || audience.to_s.empty?

      @issuer = issuer
      @audience = audience
      @leeway = leeway
      @keys = Keys.new(jwks: jwks, jwks_url: jwks_url, cache_seconds: cache_seconds, refresh_cooldown: refresh_cooldown, timeout: timeout)
    end

    # The assertion's claims if it vouches for `method` `target` (the raw request-target); raises
    # Rejected otherwise.
    def verify(method, target, assertion)
      raise Rejected, 'missing' if assertion.nil? || assertion.empty?
      # A repeated header arrives joined with ", ": no compact JWS has a comma or a space.
      raise Rejected, 'malformed' unless /\A[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\z/.match?(assertion)

      header = begin
        JSON.parse(Base64.urlsafe_decode64(pad(assertion.split('.').first)))
      rescue StandardError => e
        raise Rejected.new('malformed', e.message)
      end
      raise Rejected, 'malformed' unless header.is_a?(Hash)
      raise Rejected.new('algorithm', header['alg'].to_s) unless header['alg'] == 'ES256'
      raise Rejected.new('unknown_kid', 'no kid') unless header['kid'].is_a?(String)

      key = @keys.get(header['kid'])
      claims = begin
        # The signature only: the claims are checked below, each with its own reason.
        JWT.decode(assertion, key, true, algorithm: 'ES256', verify_expiration: false, verify_not_before: false,
                                         verify_iat: false, verify_iss: false, verify_aud: false).first
      rescue JWT::VerificationError
        raise Rejected, 'signature'
      rescue JWT::IncorrectAlgorithm
        raise Rejected, 'algorithm'
      rescue JWT::DecodeError => e
        raise Rejected.new('malformed', e.message)
      end
      check_claims(claims)
      raise Rejected.new('binding', "not for #{method} #{target}") unless secure_equal(claims['req'], GatewayAssertion.binding(method, target))

      claims
    end

    private

    def check_claims(claims)
      raise Rejected, 'claims' unless claims.is_a?(Hash)

      missing = REQUIRED_CLAIMS.reject { |name| claims.key?(name) }
      raise Rejected.new('claims', "missing #{missing.join(', ')}") unless missing.empty?
      raise Rejected, 'claims' unless claims['exp'].is_a?(Numeric) && claims['iat'].is_a?(Numeric)
      raise Rejected, 'claims' unless claims['req'].is_a?(String) && claims['sts'].is_a?(String)

      now = Time.now.to_f
      raise Rejected, 'expired' if now > claims['exp'] + @leeway
      raise Rejected.new('not_yet_valid', 'iat is in the future') if claims['iat'] > now + @leeway
      raise Rejected, 'issuer' unless claims['iss'] == @issuer

      audiences = claims['aud'].is_a?(Array) ? claims['aud'] : [claims['aud']]
      raise Rejected, 'audience' unless audiences.include?(@audience)
    end

    def pad(text)
      text + ('=' * ((4 - (text.length % 4)) % 4))
    end

    def secure_equal(a, b)
      a.is_a?(String) && a.bytesize == b.bytesize && OpenSSL.fixed_length_secure_compare(a, b)
    end
  end

  # Rack middleware: every request must carry a valid assertion (env['gateway.identity']), else 401.
  class Middleware
    def initialize(app, exempt: nil, verifier: nil, **options)
      @app = app
      @exempt = exempt
      @verifier = verifier || Verifier.new(**options)
    end

    def call(env)
      return @app.call(env) if @exempt&.call(env)

      begin
        claims = @verifier.verify(env['REQUEST_METHOD'], GatewayAssertion.raw_target(env), env[HEADER_ENV])
      rescue Rejected => e
        body = JSON.generate(error: 'invalid_assertion', reason: e.reason)
        return [401, { 'content-type' => 'application/json', 'content-length' => body.bytesize.to_s, 'cache-control' => 'no-store' }, [body]]
      end
      env[IDENTITY_ENV] = GatewayAssertion.identity(claims)
      @app.call(env)
    end
  end
end
