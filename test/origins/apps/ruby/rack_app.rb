# frozen_string_literal: true

# Rack apps guarded as a whole by GatewayAssertion::Middleware (verifiers/ruby), for the whole-app
# verifier tests (test/origins/whole-app.test.ts), served by Puma (what Rails and Sinatra apps run
# on): every URL answers {sub, sid, sts, target} only with a valid X-Auth-Assertion, else the
# middleware's 401. APP picks the app: `rack` (a bare config.ru-style app, `use` in a
# Rack::Builder), `sinatra` (a classic Sinatra app, `use` in it), `rails` (a one-file Rails app,
# `config.middleware.insert_before 0`). Settings from the environment (test/origins/global-setup.mjs):
# APP, PORT, GATEWAY_ISSUER, GATEWAY_AUDIENCE, GATEWAY_JWKS_FILE.
require 'json'
require 'puma'
require 'puma/server'
require_relative '../../../../verifiers/ruby/gateway_assertion'

SETTINGS = {
  issuer: ENV.fetch('GATEWAY_ISSUER'),
  audience: ENV.fetch('GATEWAY_AUDIENCE'),
  jwks: File.read(ENV.fetch('GATEWAY_JWKS_FILE'))
}.freeze

def answer(framework, env)
  identity = env['gateway.identity']
  { framework: framework, handler: 'whole-app', sub: identity['user_id'], sid: identity['session_id'],
    sts: identity['status'], target: GatewayAssertion.raw_target(env) }
end

def rack_app
  require 'rack'
  Rack::Builder.new do
    use GatewayAssertion::Middleware, **SETTINGS
    run ->(env) { [200, { 'content-type' => 'application/json' }, [JSON.generate(answer('rack', env))]] }
  end.to_app
end

def sinatra_app
  require 'sinatra/base'
  Class.new(Sinatra::Base) do
    use GatewayAssertion::Middleware, **SETTINGS
    set :host_authorization, { permitted_hosts: [] } if settings.respond_to?(:host_authorization)
    %i[get post].each do |verb|
      send(verb, %r{/(?:app|account|form)?(?:/.*)?}) do
        content_type :json
        JSON.generate(answer('sinatra', request.env))
      end
    end
  end
end

def rails_app
  require 'rails'
  require 'action_controller/railtie'
  app = Class.new(Rails::Application) do
    config.root = __dir__
    config.eager_load = false
    config.logger = Logger.new(nil)
    config.secret_key_base = 'origins-suite-not-secret'
    config.hosts.clear
    config.middleware.insert_before 0, GatewayAssertion::Middleware, **SETTINGS
  end
  Object.const_set(:OriginsRailsApp, app)
  controller = Class.new(ActionController::API) do
    def show
      render json: answer('rails', request.env)
    end
  end
  Object.const_set(:WholeController, controller)
  app.initialize!
  app.routes.draw do
    match '/', to: 'whole#show', via: %i[get post]
    match '/*rest', to: 'whole#show', via: %i[get post], constraints: { rest: /(app|account|form).*/ }, format: false
  end
  app
end

app = case ENV.fetch('APP', 'rack')
      when 'rack' then rack_app
      when 'sinatra' then sinatra_app
      when 'rails' then rails_app
      else abort "unknown APP #{ENV['APP']}"
      end

server = Puma::Server.new(app, Puma::Events.strings, min_threads: 0, max_threads: 4)
server.add_tcp_listener('127.0.0.1', Integer(ENV.fetch('PORT')))
puts JSON.generate(port: Integer(ENV.fetch('PORT')))
$stdout.flush
server.run.join
