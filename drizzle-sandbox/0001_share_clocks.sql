CREATE TABLE "sandbox"."share_clocks" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"last_iat" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox"."share_clocks" ADD CONSTRAINT "share_clocks_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "sandbox"."sessions"("id") ON DELETE cascade ON UPDATE no action;