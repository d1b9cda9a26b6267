import { Component } from '@angular/core';

/** The page behind each library's auto-login guard. */
@Component({ template: `<p>protected</p>` })
export class Protected {}

/** The public page. */
@Component({ template: `<p>home</p>` })
export class Home {}
